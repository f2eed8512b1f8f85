"""Settings: per matte on its node group (``NodeTree.videomama``), per user in the preferences."""

from __future__ import annotations

import bpy
from bpy.props import (
    BoolProperty,
    CollectionProperty,
    EnumProperty,
    FloatProperty,
    FloatVectorProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)

from .render_inputs import Inputs
from .request import MatteConfig

BACKEND_ITEMS = [
    ("auto", "Auto", "The daemon's choice: VideoMaMa on a GPU when its weights are installed, else Classic"),
    ("videomama", "VideoMaMa", "One-step video diffusion matting (needs a GPU daemon with the weights)"),
    ("classic", "Classic", "CPU matting: flow-repaired mask, edge snapping, closed-form matting"),
]
SOURCE_ITEMS = [
    ("MOVIE_CLIP", "Movie Clip", "A clip from the Movie Clip Editor (movie or image sequence)"),
    ("IMAGE_SEQUENCE", "Image Sequence", "An image datablock; a sequence's file numbers are scene frames"),
    ("RENDER_RESULT", "Render Result", "The scene's rendered image (renders each frame of the range)"),
]
MASK_ITEMS = [
    ("MASK", "Mask", "A Mask datablock, rasterised as a compositor Mask node draws it"),
    ("IMAGE_SEQUENCE", "Image Sequence", "Rough per-frame masks rendered elsewhere"),
    ("SAM2", "Track", "Masks tracked by the daemon from clicks and boxes on the source (SAM2) and from the Mask "
     "datablock on the mask keyframes"),
]
TRACKER_ITEMS = [
    ("auto", "Auto", "SAM2 if the daemon can run it, else the flow tracker (mask keyframes only)"),
    ("sam2", "SAM2", "Clicks, boxes and mask keyframes (needs SAM2's weights on the daemon, a GPU to be fast)"),
    ("flow", "Flow", "Carries the mask keyframes through the shot with optical flow (CPU); no clicks or boxes"),
]
MASK_CHANNEL_ITEMS = [
    ("LUMINANCE", "Luminance", "White on black"),
    ("ALPHA", "Alpha", "The images' alpha channel"),
]
COLORSPACE_ITEMS = [
    ("AUTO", "Working Space", "Blender's working colour space (what the compositor writes)"),
    ("lin_rec709", "Linear Rec.709", ""),
    ("lin_rec2020", "Linear Rec.2020", ""),
    ("ACEScg", "ACEScg", ""),
    ("ACES2065-1", "ACES2065-1", ""),
    ("raw", "Raw", "No conversion"),
]


class VIDEOMAMA_PG_click(bpy.types.PropertyGroup):
    """One SAM2 prompt: a point on the clip at a frame."""

    frame: IntProperty(name="Frame", description="Scene frame of the click")
    location: FloatVectorProperty(
        name="Location", size=2, default=(0.5, 0.5), min=0.0, max=1.0,
        description="Position on the source, 0-1 from the bottom-left corner (Blender's convention)",
    )
    positive: BoolProperty(name="Subject", default=True, description="On the subject (off: on the background)")


class VIDEOMAMA_PG_box(bpy.types.PropertyGroup):
    """One SAM2 prompt: a box around the subject at a frame."""

    frame: IntProperty(name="Frame", description="Scene frame of the box")
    bottom_left: FloatVectorProperty(
        name="Bottom Left", size=2, default=(0.25, 0.25), min=0.0, max=1.0,
        description="The box's bottom-left corner on the source, 0-1 from the bottom-left corner",
    )
    top_right: FloatVectorProperty(
        name="Top Right", size=2, default=(0.75, 0.75), min=0.0, max=1.0,
        description="The box's top-right corner on the source, 0-1 from the bottom-left corner",
    )


class VIDEOMAMA_PG_matte(bpy.types.PropertyGroup):
    """A matte's settings, stored on its node group datablock."""

    is_matte: BoolProperty(options={"HIDDEN"})

    backend: EnumProperty(name="Backend", items=BACKEND_ITEMS, default="auto")
    use_scene_range: BoolProperty(name="Scene Range", default=True, description="Matte the scene's frame range")
    frame_first: IntProperty(name="First", default=1)
    frame_last: IntProperty(name="Last", default=250)
    custom_windows: BoolProperty(
        name="Custom Windows", default=False,
        description="Override the daemon's window length and overlap",
    )
    window: IntProperty(name="Window", default=16, min=2, description="Frames matted together")
    overlap: IntProperty(name="Overlap", default=4, min=0, description="Frames shared by neighbouring windows")
    colorspace: EnumProperty(name="Colour Space", items=COLORSPACE_ITEMS, default="AUTO")

    source_kind: EnumProperty(name="Source", items=SOURCE_ITEMS, default="MOVIE_CLIP")
    source_clip: PointerProperty(name="Clip", type=bpy.types.MovieClip)
    source_image: PointerProperty(name="Image", type=bpy.types.Image)
    source_scene: PointerProperty(name="Scene", type=bpy.types.Scene, description="Empty: this scene")
    source_view_layer: StringProperty(name="View Layer", description="Empty: the scene's first view layer")

    mask_kind: EnumProperty(name="Mask", items=MASK_ITEMS, default="MASK")
    mask: PointerProperty(name="Mask", type=bpy.types.Mask)
    mask_image: PointerProperty(name="Mask Image", type=bpy.types.Image)
    mask_image_channel: EnumProperty(name="Channel", items=MASK_CHANNEL_ITEMS, default="LUMINANCE")
    clicks: CollectionProperty(type=VIDEOMAMA_PG_click)
    active_click: IntProperty()
    boxes: CollectionProperty(type=VIDEOMAMA_PG_box)
    active_box: IntProperty()
    mask_keyframes: StringProperty(
        name="Mask Keyframes",
        description="Frames where the Mask datablock outlines the subject, e.g. 1001 1040: it is rendered on "
        "these frames only, for the tracker to carry through the shot (the flow tracker needs one)",
    )
    tracker: EnumProperty(name="Tracker", items=TRACKER_ITEMS, default="auto")
    soft_masks: BoolProperty(
        name="Soft Masks", default=False, description="Track soft masks (SAM2's probabilities) instead of hard ones",
    )

    cache_dir: StringProperty(
        name="Cache", subtype="DIR_PATH",
        description="Where inputs and mattes are stored (empty: videomama_cache beside the .blend)",
    )

    # State shown in the panel; saved with the file so it says what the group holds.
    status: StringProperty(name="Status")
    progress: FloatProperty(min=0.0, max=1.0, options={"HIDDEN", "SKIP_SAVE"})
    result_folder: StringProperty(options={"HIDDEN"})
    result_first: IntProperty(options={"HIDDEN"})
    result_last: IntProperty(options={"HIDDEN"})


class VIDEOMAMA_AP_preferences(bpy.types.AddonPreferences):
    bl_idname = __package__

    address: StringProperty(
        name="Daemon Address",
        description="HOST:PORT of `videomama serve` (empty: $VIDEOMAMA_ADDRESS, else 127.0.0.1:50051)",
    )

    def draw(self, context):
        self.layout.prop(self, "address")
        self.layout.label(text="A token, when the daemon needs one, is read from $VIDEOMAMA_TOKEN.")


def preferences(context):
    """This add-on's preferences, or None when it was registered without the add-on system (scripts, tests)."""
    addon = context.preferences.addons.get(__package__)
    return addon.preferences if addon is not None else None


def read_config(settings) -> MatteConfig:
    return MatteConfig(
        backend=settings.backend,
        use_scene_range=settings.use_scene_range,
        frame_first=settings.frame_first,
        frame_last=settings.frame_last,
        custom_windows=settings.custom_windows,
        window=settings.window,
        overlap=settings.overlap,
        colorspace=settings.colorspace,
        source_kind=settings.source_kind,
        mask_kind=settings.mask_kind,
        mask_image_channel=settings.mask_image_channel,
        cache_dir=bpy.path.abspath(settings.cache_dir) if settings.cache_dir else "",
        clicks=tuple((c.frame, c.location[0], c.location[1], c.positive) for c in settings.clicks),
        boxes=tuple((b.frame, *b.bottom_left, *b.top_right) for b in settings.boxes),
        mask_keyframes=settings.mask_keyframes,
        tracker=settings.tracker,
        soft_masks=settings.soft_masks,
    )


def read_inputs(settings, scene, keyframes: tuple[int, ...] | None = None) -> Inputs:
    """What to render.  ``keyframes`` (``request.mask_frames``): None for a mask on every
    frame; with "Track" as the mask, the frames the Mask datablock is rendered on, if any."""
    mask_kind = settings.mask_kind if keyframes is None else ("MASK" if keyframes else "NONE")
    return Inputs(
        source_kind=settings.source_kind,
        clip=settings.source_clip,
        image=settings.source_image,
        render_scene=settings.source_scene or scene,
        view_layer=settings.source_view_layer,
        mask_kind=mask_kind,
        mask=settings.mask,
        mask_image=settings.mask_image,
        mask_image_channel=settings.mask_image_channel,
        mask_frames=keyframes,
    )


CLASSES = (VIDEOMAMA_PG_click, VIDEOMAMA_PG_box, VIDEOMAMA_PG_matte, VIDEOMAMA_AP_preferences)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.NodeTree.videomama = PointerProperty(type=VIDEOMAMA_PG_matte)


def unregister() -> None:
    del bpy.types.NodeTree.videomama
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
