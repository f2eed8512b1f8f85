"""Compute a .blend's VideoMaMa mattes without the UI (farm, CI, scripts).

    blender -b shot.blend -P plugin_blender/headless_compute.py -- [--group NAME ...]
            [--scene NAME] [--address HOST:PORT] [--save]
    python plugin_blender/headless_compute.py --blend shot.blend [...]   # bpy as a Python module

Computes every VideoMaMa Matte used in the scene's compositor (or the
``--group`` ones), blocking, with progress on stdout; ``--save`` saves the
.blend so that its Image nodes point at the new mattes, after which
``blender -b shot.blend -a`` renders the comp on any machine that sees the
cache folder (the add-on is not needed to render).  Exit status: 0 when every
matte is ready, 1 when one failed (its error on stderr), 2 for bad arguments.

Uses the installed add-on when Blender has it enabled, else the copy beside
this script.
"""

from __future__ import annotations

import argparse
import os
import sys

import bpy

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(argv: list[str]) -> argparse.Namespace:
    # Blender passes its own arguments too; ours come after "--".
    ours = argv[argv.index("--") + 1:] if "--" in argv else argv[1:]
    parser = argparse.ArgumentParser(prog="headless_compute.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--blend", help="open this .blend first (when running bpy as a Python module)")
    parser.add_argument("--scene", help="scene whose compositor holds the mattes (default: the active one)")
    parser.add_argument("--group", action="append", default=[], help="a matte node group to compute (repeat)")
    parser.add_argument("--address", default="", help="daemon HOST:PORT (default: preference, $VIDEOMAMA_ADDRESS)")
    parser.add_argument("--save", action="store_true", help="save the .blend afterwards")
    return parser.parse_args(ours)


def load_addon():
    """The add-on package and whether this script registered it (and must unregister it)."""
    for name, module in list(sys.modules.items()):
        if name.split(".")[-1] == "videomama_blender" and hasattr(bpy.types, "VIDEOMAMA_OT_compute"):
            return module, False
    if HERE not in sys.path:
        sys.path.append(HERE)
    import videomama_blender

    videomama_blender.register()
    return videomama_blender, True


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.blend:
        bpy.ops.wm.open_mainfile(filepath=os.path.abspath(args.blend))
    addon, registered_here = load_addon()
    from importlib import import_module

    nodes = import_module(".nodes", addon.__name__)
    api_compat = import_module(".api_compat", addon.__name__)
    tasks = import_module(".task", addon.__name__)
    progress = import_module(".progress", addon.__name__)
    prefix = import_module(".errors", addon.__name__).PREFIX
    try:
        scene = bpy.data.scenes.get(args.scene) if args.scene else (bpy.context.scene or bpy.data.scenes[0])
        if scene is None:
            print(f"{prefix}there is no scene '{args.scene}'", file=sys.stderr)
            return 2
        if args.group:
            groups = [bpy.data.node_groups.get(name) for name in args.group]
            unknown = [name for name, group in zip(args.group, groups, strict=True) if not nodes.is_matte_group(group)]
            if unknown:
                print(f"{prefix}not a VideoMaMa Matte node group: {', '.join(unknown)}", file=sys.stderr)
                return 2
        else:
            groups = list({node.node_tree.name: node.node_tree
                           for node in nodes.matte_nodes(api_compat.compositor_tree(scene))}.values())
            if not groups:
                print(f"{prefix}the compositor of scene '{scene.name}' has no VideoMaMa Matte", file=sys.stderr)
                return 2

        failed = False
        for group in groups:
            print(f"{prefix}computing '{group.name}'", flush=True)
            show = progress.line_printer(prefix)
            outcome = tasks.ComputeTask(scene, group, args.address, tasks.default_cache_root(), show).run()
            for warning in outcome.warnings:
                print(f"{prefix}warning: {warning}", file=sys.stderr)
            if outcome.ok:
                print(f"{prefix}{group.name}: {outcome.message}", flush=True)
            else:
                failed = True
                print(f"{prefix}{group.name}: {outcome.message}", file=sys.stderr, flush=True)
        if args.save and bpy.data.filepath:
            bpy.ops.wm.save_mainfile()
        return 1 if failed else 0
    finally:
        if registered_here:
            addon.unregister()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
