"""plugin_blender/build.py: the extension and legacy zips, checked by hand and by Blender itself."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from conftest import PLUGIN, REPO, run_blender_python


def load_build():
    spec = importlib.util.spec_from_file_location("videomama_blender_build", PLUGIN / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    build = load_build()
    out = tmp_path_factory.mktemp("dist")
    extension, legacy = build.build(out, list(build.PLATFORM_TAGS), platform_wheels=False)
    return build, extension, legacy


def test_extension_zip_has_a_valid_manifest_and_its_wheels(built):
    build, extension, _ = built
    with zipfile.ZipFile(extension) as archive:
        names = archive.namelist()
        manifest = tomllib.loads(archive.read("blender_manifest.toml").decode())
    for key in ("schema_version", "id", "version", "name", "tagline", "maintainer", "type",
                "blender_version_min", "license"):
        assert manifest[key], key
    assert manifest["id"] == "videomama_blender" and manifest["type"] == "add-on"
    assert len(manifest["tagline"]) <= 64 and manifest["tagline"][-1] not in ".!?"
    assert manifest["permissions"]["network"]
    assert sorted(manifest["wheels"]) == [
        "./wheels/videomama_client-0.1.0-py3-none-any.whl",
        "./wheels/videomama_hosts-0.1.0-py3-none-any.whl",
        "./wheels/videomama_proto-0.1.0-py3-none-any.whl",
    ]
    for wheel in manifest["wheels"]:
        assert wheel[2:] in names
    assert "__init__.py" in names and "operators.py" in names
    assert not any("__pycache__" in name or name.startswith("lib/") for name in names)


def test_pure_wheels_match_the_checkout_and_their_record(built):
    _, extension, _ = built
    with zipfile.ZipFile(extension) as archive:
        wheel_bytes = archive.read("wheels/videomama_client-0.1.0-py3-none-any.whl")
    tmp = Path(extension).parent / "client.whl"
    tmp.write_bytes(wheel_bytes)
    with zipfile.ZipFile(tmp) as wheel:
        record = wheel.read("videomama_client-0.1.0.dist-info/RECORD").decode().splitlines()
        metadata = wheel.read("videomama_client-0.1.0.dist-info/METADATA").decode()
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            if not digest:
                continue
            data = wheel.read(path)
            expected = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == expected and int(size) == len(data)
        assert wheel.read("videomama_client/client.py") == (REPO / "client/videomama_client/client.py").read_bytes()
    assert "Requires-Dist: grpcio>=1.80.1" in metadata and "Requires-Dist: videomama_proto==0.1.0" in metadata


def test_legacy_zip_has_bl_info_and_a_lib_folder(built):
    _, _, legacy = built
    with zipfile.ZipFile(legacy) as archive:
        names = archive.namelist()
        init = archive.read("videomama_blender/__init__.py").decode()
    assert "bl_info" in init
    assert "videomama_blender/lib/videomama_client/__init__.py" in names
    assert "videomama_blender/lib/videomama_hosts/manifest.py" in names
    assert "videomama_blender/lib/videomama_proto/v1/videomama_pb2.py" in names


def test_manifest_text_adds_platforms_and_wheels_before_the_tables():
    build = load_build()
    source = (PLUGIN / "videomama_blender" / "blender_manifest.toml").read_text()
    text = build.manifest_text(source, ["a-1-py3-none-any.whl"], ["linux-x64", "windows-x64"])
    parsed = tomllib.loads(text)
    assert parsed["wheels"] == ["./wheels/a-1-py3-none-any.whl"]
    assert parsed["platforms"] == ["linux-x64", "windows-x64"]
    assert parsed["permissions"] == tomllib.loads(source)["permissions"]
    # Building twice does not stack the keys.
    assert tomllib.loads(build.manifest_text(text, ["b.whl"], []))["wheels"] == ["./wheels/b.whl"]


def test_pip_download_targets_blenders_python_and_platform(tmp_path):
    build = load_build()
    command = build.pip_download_command("windows-x64", tmp_path, python="py")
    assert command[:4] == ["py", "-m", "pip", "download"]
    # Dependencies included: grpcio's typing_extensions is not in Blender's Python.
    assert "--only-binary=:all:" in command and "--no-deps" not in command
    assert command[command.index("--python-version") + 1] == "3.11"
    assert command[command.index("--platform") + 1] == "win_amd64"
    assert {"cp311", "abi3"} <= {command[i + 1] for i, arg in enumerate(command) if arg == "--abi"}
    assert command[-2:] == ["grpcio>=1.80.1", "protobuf>=6.31.1"]


# The add-on must come from the installed package, not from the checkout that
# this environment's .pth file puts on sys.path.
_WITHOUT_CHECKOUT = f"""
import sys
sys.path[:] = [p for p in sys.path if p not in {[str(REPO / 'client'), str(REPO / 'proto'), str(PLUGIN)]!r}]
import json, bpy, addon_utils
"""


def test_blender_installs_and_enables_the_extension(built, tmp_path):
    _, extension, _ = built
    script = tmp_path / "install_extension.py"
    script.write_text(_WITHOUT_CHECKOUT + f"""
result = bpy.ops.extensions.package_install_files(filepath={str(extension)!r}, repo="user_default",
                                                  enable_on_install=True)
module = "bl_ext.user_default.videomama_blender"
prefs = bpy.context.preferences.addons[module].preferences
import videomama_client
from bl_ext.user_default.videomama_blender import libs
print(json.dumps({{"result": sorted(result), "operator": hasattr(bpy.types, "VIDEOMAMA_OT_compute"),
                  "address": prefs.address, "client": videomama_client.__file__,
                  "loaded": libs.load_client().__name__}}))
addon_utils.disable(module)
print(json.dumps({{"after_disable": hasattr(bpy.types, "VIDEOMAMA_OT_compute")}}))
""")
    run = run_blender_python(str(script), env={"BLENDER_USER_RESOURCES": str(tmp_path / "user")})
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines[0]["result"] == ["FINISHED"] and lines[0]["operator"] and lines[0]["address"] == ""
    # Blender installed the bundled client wheel into its extensions' site-packages.
    assert str(tmp_path / "user") in lines[0]["client"] and lines[0]["loaded"] == "videomama_client"
    assert lines[1] == {"after_disable": False}


def test_blender_installs_and_enables_the_legacy_zip(built, tmp_path):
    _, _, legacy = built
    script = tmp_path / "install_legacy.py"
    script.write_text(_WITHOUT_CHECKOUT + f"""
bpy.ops.preferences.addon_install(filepath={str(legacy)!r})
addon_utils.enable("videomama_blender", default_set=True)
import videomama_blender
client = videomama_blender.libs.load_client()
print(json.dumps({{"operator": hasattr(bpy.types, "VIDEOMAMA_OT_compute"), "addon": videomama_blender.__file__,
                  "client": client.__file__}}))
addon_utils.disable("videomama_blender")
""")
    run = run_blender_python(str(script), env={"BLENDER_USER_RESOURCES": str(tmp_path / "user"),
                                               "BLENDER_USER_SCRIPTS": str(tmp_path / "scripts")})
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(next(line for line in run.stdout.splitlines() if line.startswith("{")))
    assert found["operator"]
    assert found["addon"].startswith(str(tmp_path / "scripts"))
    # From the zip's lib/ folder, appended to sys.path by libs.load_client.
    assert found["client"].startswith(str(tmp_path / "scripts")) and "/lib/" in found["client"]


def blender_ext_tool() -> Path:
    """The script behind ``blender --command extension``, shipped inside bpy."""
    import bpy

    tool = Path(bpy.utils.system_resource("SCRIPTS")) / "addons_core" / "bl_pkg" / "cli" / "blender_ext.py"
    if not tool.exists():
        pytest.skip(f"this bpy has no {tool}")
    return tool


def test_blenders_own_tools_validate_and_build_the_staged_extension(built, tmp_path):
    import subprocess

    _, extension, _ = built
    tool = blender_ext_tool()
    validate = subprocess.run([sys.executable, str(tool), "validate", str(extension)], capture_output=True, text=True)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    # What the README documents: `blender --command extension build --source-dir <out>/extension`.
    rebuilt = subprocess.run(
        [sys.executable, str(tool), "build", "--source-dir", str(Path(extension).parent / "extension"),
         "--output-dir", str(tmp_path)],
        capture_output=True, text=True,
    )
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    with zipfile.ZipFile(tmp_path / "videomama_blender-0.1.0.zip") as archive:
        names = set(archive.namelist())
    assert {"wheels/videomama_client-0.1.0-py3-none-any.whl", "blender_manifest.toml", "task.py"} <= names
