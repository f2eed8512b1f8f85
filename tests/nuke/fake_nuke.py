"""A small stand-in for Nuke's ``nuke`` module: only what ``videomama_nuke.binding`` calls.

Signatures follow Foundry's Nuke Python API reference.  Pages are under
https://learn.foundry.com/nuke/developers/<version>/pythondevguide/ (the
"_autosummary/" pages unless noted; 11.3-12.2 pages are the older
/pythonreference/ tree).  17.1 (the pybind11 module) was the primary source;
older pages were used where 17.1's page gives no signature:

* 17.1 nuke.html: module functions createNode, toNode, root, thisNode,
  thisKnob, allNodes, execute, message, menu, scriptName, addBeforeRender,
  addOnScriptLoad, addKnobChanged, executeInMainThread, and the GUI flag
* 130 nuke.render.html, 132 nuke.executeMultiple.html: ``execute(nameOrNode,
  start, end, incr, views, continueOnError=False)``; a progress meter in the
  GUI, a percentage with -t, a 'cancelled' error when the user cancels
* 17.1 nuke.ProgressTask.html: ``ProgressTask(name)``, ``setMessage(s)``,
  ``setProgress(i)``, ``isCancelled()``
* 160 nukescripts.executeInMainThread.html, 140 _modules/nuke_internal/
  executeInMain.html: ``executeInMainThread(call, args=(), kwargs={})``
* 132 nuke.Node.html, 160 nuke.Root.Class.html, 11.3 nuke.Group-class.html:
  ``Class()``, ``name()``, ``fullName()``, ``setName(name, uncollide=True,
  updateExpressions=False)``, ``knob(name)``, ``knobs()``, ``addKnob(k)``,
  ``input(i)``, ``inputs()``, ``setInput(i, node)``, ``dependencies(what)``,
  ``firstFrame()``, ``lastFrame()``, ``format()``; Group ``begin()``,
  ``end()``, ``node(s)``, ``nodes()``
* 131 nuke.dependencies.html: the EXPRESSIONS / INPUTS / HIDDEN_INPUTS flags
* 140 nuke.allNodes.html: ``allNodes(filter, group, recurseGroups=False)``
* Knobs: 160 nuke.knob.html (the Knob base class), 17.1 nuke.Channel_Knob.html
  (``Channel_Knob(s, label, depth)``), 17.1 nuke.XY_Knob.html,
  8.0 /pythonreference/nuke.BBox_Knob-class.html (no 13.x-17.1 page for the
  class was found; 140 nuke.KnobType.html still lists eBBoxKnob): an
  Array_Knob of x, y, r, t, made as ``BBox_Knob(name, label)`` like XY_Knob
  and keyed and read through the same Array_Knob calls (``setValueAt(value,
  time, index)``, ``getValueAt(time, index)``, ``isAnimated()``,
  ``getKeyList()``),
  17.1 nuke.Script_Knob.html, 132 nuke.PyScript_Knob.html
  (``PyScript_Knob(name, label=None, command=None)``), 130 and 151
  nuke.File_Knob.html (``value()``, ``evaluate()``, ``fromUserText(s)``),
  131 nuke.EvalString_Knob.html, 12.0 nuke.Enumeration_Knob-class.html
  (``Enumeration_Knob(name, label, items)``), 7.0 nuke.Boolean_Knob-class.html,
  12.2 nuke.String_Knob-class.html; Int_Knob / Text_Knob / Tab_Knob take
  ``(name, label[, value])`` like those
* 16.1 _modules/nuke_internal/callbacks.html: ``addBeforeRender(call,
  args=(), kwargs={}, nodeClass='Write')``, ``addOnScriptLoad(...,
  nodeClass='Root')``, ``addKnobChanged(..., nodeClass='*')``
* 17.1 nuke.Menu.html, 12.2 nuke.ToolBar-class.html: ``addMenu(**kwargs)``
  (name=, icon=, tooltip=, index=), ``addCommand(name, command, shortcut,
  icon, tooltip, index, readonly)``, the command a string or a callable

Pixels are honest: Read reads its files with OpenImageIO, Write writes the
EXR channels its input produces, and Copy / Premult / Switch / Multiply /
Input / Output / Group pass images along as Nuke would, so a Source=Read and
Mask=Read graph renders real files the daemon can matte.  Images are full
frame only (data window = display window); nothing else of Nuke's image model
is imitated.

Functions in the "Test controls" section at the end are not Nuke API: they
stand for what a user does (change a knob in the panel, press a button, open
a script) and for Nuke's main-thread event loop.
"""

from __future__ import annotations

import os
import re
import threading

import numpy as np
import OpenImageIO as oiio

GUI = False
EXPRESSIONS = 1
INPUTS = 2
HIDDEN_INPUTS = 4
LINKINPUTS = 8


# ---------------------------------------------------------------------------
# Knobs
# ---------------------------------------------------------------------------


def _quote(text: str) -> str:
    return "{" + text + "}" if (not text or re.search(r"[\s{}\[\]\"$;]", text)) else text


class Knob:
    _default: object = ""

    def __init__(self, name, label=None, *args):
        self._name = name
        self._label = label if label is not None else name
        self._value = self._default
        self._enabled = True
        self._visible = True
        self._tooltip = ""
        self._node = None

    def Class(self):
        return type(self).__name__

    def name(self):
        return self._name

    def label(self):
        return self._label

    def node(self):
        return self._node

    def value(self):
        return self._value

    def getValue(self):
        return self.value()

    def setValue(self, value):
        self._value = value
        return True

    def toScript(self):
        value = self.value()
        if isinstance(value, bool):
            return "true" if value else "false"
        return _quote(str(value))

    def enabled(self):
        return self._enabled

    def setEnabled(self, enabled):
        self._enabled = bool(enabled)

    def visible(self):
        return self._visible

    def setVisible(self, visible):
        self._visible = bool(visible)

    def tooltip(self):
        return self._tooltip

    def setTooltip(self, tooltip):
        self._tooltip = tooltip

    def isAnimated(self, index=-1):
        return False

    def getKeyList(self):
        return []


class Tab_Knob(Knob):
    pass


class Text_Knob(Knob):
    def __init__(self, name, label=None, text=""):
        super().__init__(name, label)
        self._value = text


class String_Knob(Knob):
    def __init__(self, name, label=None, text=""):
        super().__init__(name, label)
        self._value = text

    def setValue(self, value, view="default"):
        self._value = str(value)
        return True


class EvalString_Knob(String_Knob):
    def evaluate(self):
        # TCL substitution is not imitated: tests use plain paths.
        return self._value


class File_Knob(EvalString_Knob):
    def __init__(self, name, label=None):
        super().__init__(name, label, "")

    def fromUserText(self, text):
        """Assign string to knob, parses frame range off the end and opens file to get set the format."""
        match = re.match(r"^(.*\S)\s+(-?\d+)-(-?\d+)$", text)
        path = match.group(1) if match else text
        self._value = path
        node = self._node
        if match and node is not None:
            for knob_name, value in (("first", match.group(2)), ("last", match.group(3)),
                                     ("origfirst", match.group(2)), ("origlast", match.group(3))):
                if node.knob(knob_name) is not None:
                    node[knob_name].setValue(int(value))


class Int_Knob(Knob):
    _default = 0

    def setValue(self, value, index=-1, time=None, view=None):
        self._value = int(value)
        return True


class Double_Knob(Knob):
    _default = 0.0

    def setValue(self, value, index=-1, time=None, view=None):
        self._value = float(value)
        return True


class Boolean_Knob(Knob):
    _default = False

    def __init__(self, name, label=None, value=False):
        super().__init__(name, label)
        self._value = bool(value)

    def setValue(self, value):
        self._value = bool(value)
        return True


class Disable_Knob(Boolean_Knob):
    pass


class Enumeration_Knob(Knob):
    def __init__(self, name, label=None, items=()):
        super().__init__(name, label)
        self._items = list(items)
        self._value = self._items[0] if self._items else ""

    def values(self):
        return list(self._items)

    def setValue(self, item):
        if isinstance(item, int):
            item = self._items[item]
        if item not in self._items:
            raise ValueError(f"{self._name}: '{item}' is not one of {self._items}")
        self._value = item
        return True


class Channel_Knob(Knob):
    def __init__(self, name, label=None, depth=0):
        super().__init__(name, label)
        self._value = "rgba.alpha"

    def setValue(self, name):
        self._value = str(name)
        return True


class ChannelMask_Knob(Channel_Knob):
    pass


class PyScript_Knob(Knob):
    def __init__(self, name, label=None, command=None):
        super().__init__(name, label)
        self._value = command or ""

    def command(self):
        return self._value

    def execute(self):
        exec(compile(self._value, f"<{self._name} button>", "exec"), {"nuke": _this_module()})


class Array_Knob(Knob):
    """An animatable array of ``_size`` floats; keys are stored per index."""

    _size = 1

    def __init__(self, name, label=None):
        super().__init__(name, label)
        self._value = [0.0] * self._size
        self._keys = {i: {} for i in range(self._size)}

    def _indices(self, index):
        return range(self._size) if index == -1 else (index,)

    def value(self, index=0):
        return self._value[index]

    def setValue(self, value, index=-1, time=None, view=None):
        if index == -1:
            self._value = [float(v) for v in value]
        else:
            self._value[index] = float(value)
        return True

    def setValueAt(self, value, time, index=-1, view=None):
        for i in self._indices(index):
            self._keys[i][float(time)] = float(value[i] if index == -1 else value)
        return True

    def isAnimated(self, index=-1):
        return any(self._keys[i] for i in self._indices(index))

    def getKeyList(self):
        return sorted(set().union(*self._keys.values()))

    def getValueAt(self, time, index=-1, view=None):
        keys = self._keys[max(index, 0)]
        if not keys:
            return self._value[max(index, 0)]
        if float(time) in keys:
            return keys[float(time)]
        times = sorted(keys)
        before = [t for t in times if t <= time]
        return keys[before[-1] if before else times[0]]

    def toScript(self):
        return "{" + " ".join(str(v) for v in self._value) + "}" + str(sorted(self.getKeyList()))


class XY_Knob(Array_Knob):
    """A 2D position: index 0 = x, 1 = y."""

    _size = 2


class BBox_Knob(Array_Knob):
    """A bounding box: index 0 = x (left), 1 = y (bottom), 2 = r (right), 3 = t (top)."""

    _size = 4


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------

_EXR_NAMES = {"rgba.red": "R", "rgba.green": "G", "rgba.blue": "B", "rgba.alpha": "A"}
_NUKE_NAMES = {exr: nuke for nuke, exr in _EXR_NAMES.items()}
_LAYERS = {
    "rgb": ("rgba.red", "rgba.green", "rgba.blue"),
    "rgba": ("rgba.red", "rgba.green", "rgba.blue", "rgba.alpha"),
    "alpha": ("rgba.alpha",),
}
_DATATYPES = {"16 bit half": oiio.HALF, "32 bit float": oiio.FLOAT}


class Format:
    def __init__(self, width, height):
        self._width, self._height = width, height

    def width(self):
        return self._width

    def height(self):
        return self._height


class _Image:
    """Channels of one frame, top row first, float32 (height, width)."""

    def __init__(self, width, height, channels=None):
        self.width, self.height = width, height
        self.channels = dict(channels or {})

    def channel(self, name):
        found = self.channels.get(name)
        return np.zeros((self.height, self.width), np.float32) if found is None else found

    def copy(self):
        return _Image(self.width, self.height, {k: v.copy() for k, v in self.channels.items()})


def _frame_file(pattern, frame):
    def number(match):
        token = match.group(0)
        width = len(token) if token.startswith("#") else int(re.sub(r"\D", "", token) or 0)
        return f"{frame:0{width}d}"

    return re.sub(r"#+|%0?\d*d", number, pattern, count=1)


# ---------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------

_KNOB_TYPES = {
    "name": String_Knob, "label": String_Knob, "xpos": Int_Knob, "ypos": Int_Knob,
    "selected": Boolean_Knob, "disable": Disable_Knob, "knobChanged": String_Knob,
}


class Node:
    _class_knobs: dict = {}

    def __init__(self, node_class, parent, **knob_values):
        self._class = node_class
        self._parent = parent
        self._inputs = []
        self._knobs = {}
        for name, factory in {**_KNOB_TYPES, **self._class_knobs}.items():
            self.addKnob(factory(name))
        if parent is not None:
            parent._children.append(self)
        self.setName(knob_values.pop("name", f"{node_class}1"))
        for name, value in knob_values.items():
            if name not in self._knobs:
                raise ValueError(f"{node_class} has no knob named '{name}'")
            self._knobs[name].setValue(value)

    # -- identity -------------------------------------------------------------

    def Class(self):
        return self._class

    def name(self):
        return self._knobs["name"].value()

    def fullName(self):
        if self._parent is None or isinstance(self._parent, Root):
            return self.name()
        return f"{self._parent.fullName()}.{self.name()}"

    def setName(self, name, uncollide=True, updateExpressions=False):
        taken = {n.name() for n in (self._parent._children if self._parent else []) if n is not self}
        if name in taken:
            if not uncollide:
                raise ValueError(f"name '{name}' is already in use")
            stem = re.sub(r"\d+$", "", name)
            number = 1
            while f"{stem}{number}" in taken:
                number += 1
            name = f"{stem}{number}"
        self._knobs["name"]._value = name

    def __repr__(self):
        return f"<{self._class} {self.fullName()}>"

    # -- knobs --------------------------------------------------------------------

    def knob(self, name):
        return self._knobs.get(name)

    def __getitem__(self, name):
        if name not in self._knobs:
            raise NameError(f"knob {name} does not exist")
        return self._knobs[name]

    def knobs(self):
        return dict(self._knobs)

    def addKnob(self, knob):
        knob._node = self
        self._knobs[knob.name()] = knob

    # -- wiring ---------------------------------------------------------------------

    def input(self, i):
        return self._inputs[i] if i < len(self._inputs) else None

    def inputs(self):
        connected = [i for i, node in enumerate(self._inputs) if node is not None]
        return connected[-1] + 1 if connected else 0

    def setInput(self, i, node):
        while len(self._inputs) <= i:
            self._inputs.append(None)
        self._inputs[i] = node
        return True

    def dependencies(self, what=EXPRESSIONS | INPUTS | HIDDEN_INPUTS | LINKINPUTS):
        # No expressions or hidden inputs in the stand-in: only visible pipes.
        return [node for node in self._inputs if node is not None] if what & INPUTS else []

    # -- image ------------------------------------------------------------------------

    def firstFrame(self):
        upstream = self.input(0)
        return upstream.firstFrame() if upstream else int(root()["first_frame"].value())

    def lastFrame(self):
        upstream = self.input(0)
        return upstream.lastFrame() if upstream else int(root()["last_frame"].value())

    def format(self):
        upstream = self.input(0)
        if upstream is None:
            raise RuntimeError(f"{self.name()}: no input to take a format from")
        return upstream.format()

    def _render(self, frame):
        if self._knobs["disable"].value() or type(self)._process is Node._process:
            upstream = self.input(0)
            if upstream is None:
                raise RuntimeError(f"{self.fullName()}: input 0 is not connected")
            return upstream._render(frame)
        return self._process(frame)

    def _process(self, frame):
        raise NotImplementedError


class Input(Node):
    _class_knobs = {"number": Int_Knob}

    def __init__(self, node_class, parent, **knobs):
        count = sum(1 for n in parent._children if isinstance(n, Input))
        super().__init__(node_class, parent, **knobs)
        self._knobs["number"].setValue(count)

    def _outer(self):
        upstream = self._parent.input(self._knobs["number"].value())
        if upstream is None:
            raise RuntimeError(f"{self._parent.fullName()}: input {self.name()} is not connected")
        return upstream

    def firstFrame(self):
        return self._outer().firstFrame()

    def lastFrame(self):
        return self._outer().lastFrame()

    def format(self):
        return self._outer().format()

    def _process(self, frame):
        return self._outer()._render(frame)


class Output(Node):
    pass


class Read(Node):
    _class_knobs = {
        "file": File_Knob, "first": Int_Knob, "last": Int_Knob, "origfirst": Int_Knob, "origlast": Int_Knob,
        "before": lambda name: Enumeration_Knob(name, name, ["hold", "loop", "bounce", "black"]),
        "after": lambda name: Enumeration_Knob(name, name, ["hold", "loop", "bounce", "black"]),
        "colorspace": String_Knob,
    }

    def firstFrame(self):
        return self._knobs["first"].value()

    def lastFrame(self):
        return self._knobs["last"].value()

    def _spec(self, frame):
        path = _frame_file(self._knobs["file"].value(), frame)
        image = oiio.ImageInput.open(path)
        if image is None:
            raise RuntimeError(f"{self.fullName()}: Read error: cannot open {path}")
        return image, path

    def format(self):
        image, _ = self._spec(self.firstFrame())
        spec = image.spec()
        image.close()
        return Format(spec.full_width, spec.full_height)

    def _process(self, frame):
        first, last = self.firstFrame(), self.lastFrame()
        if not first <= frame <= last:
            held = self._knobs["before" if frame < first else "after"].value()
            if held == "black":
                fmt = self.format()
                return _Image(fmt.width(), fmt.height())
            frame = min(max(frame, first), last)
        image, path = self._spec(frame)
        spec = image.spec()
        pixels = np.asarray(image.read_image(oiio.FLOAT), np.float32).reshape(spec.height, spec.width, -1)
        image.close()
        names = list(spec.channelnames)
        channels = {}
        if names == ["Y"]:  # greyscale reads into red, green and blue
            for name in _LAYERS["rgb"]:
                channels[name] = pixels[:, :, 0].copy()
        else:
            for index, name in enumerate(names):
                channels[_NUKE_NAMES.get(name, name)] = pixels[:, :, index].copy()
        return _Image(spec.width, spec.height, channels)


class Write(Node):
    _class_knobs = {
        "file": File_Knob, "channels": ChannelMask_Knob,
        "file_type": lambda name: Enumeration_Knob(name, name, ["", "exr", "png"]),
        "datatype": lambda name: Enumeration_Knob(name, name, ["16 bit half", "32 bit float"]),
    }

    def _write(self, frame):
        layer = self._knobs["channels"].value()
        if layer not in _LAYERS:
            raise RuntimeError(f"{self.fullName()}: the stand-in writes rgb, rgba or alpha, not {layer}")
        image = self.input(0)._render(frame)
        names = _LAYERS[layer]
        path = _frame_file(self._knobs["file"].value(), frame)
        if not os.path.isdir(os.path.dirname(path)):
            raise RuntimeError(f"{self.fullName()}: Can't write {path}: No such file or directory")
        spec = oiio.ImageSpec(image.width, image.height, len(names), _DATATYPES[self._knobs["datatype"].value()])
        spec.channelnames = tuple(_EXR_NAMES.get(n, n) for n in names)
        spec.attribute("compression", "zip")
        pixels = np.stack([image.channel(n) for n in names], axis=2)
        out = oiio.ImageOutput.create(path)
        if not (out.open(path, spec) and out.write_image(pixels) and out.close()):
            raise RuntimeError(f"{self.fullName()}: {out.geterror()}")


class Copy(Node):
    _class_knobs = {"from0": Channel_Knob, "to0": Channel_Knob}

    def format(self):
        return self.input(0).format()

    def _process(self, frame):
        b = self.input(0)._render(frame).copy()
        a = self.input(1)._render(frame) if self.input(1) is not None else _Image(b.width, b.height)
        if (a.width, a.height) != (b.width, b.height):
            raise RuntimeError(f"{self.fullName()}: the stand-in copies between equal formats only")
        b.channels[self._knobs["to0"].value()] = a.channel(self._knobs["from0"].value()).copy()
        return b


class Premult(Node):
    def _process(self, frame):
        image = self.input(0)._render(frame).copy()
        alpha = image.channel("rgba.alpha")
        for name in _LAYERS["rgb"]:
            image.channels[name] = image.channel(name) * alpha
        return image


class Multiply(Node):
    _class_knobs = {"value": Double_Knob}

    def _process(self, frame):
        image = self.input(0)._render(frame).copy()
        for name in _LAYERS["rgb"]:
            image.channels[name] = image.channel(name) * np.float32(self._knobs["value"].value())
        return image


class Switch(Node):
    _class_knobs = {"which": Double_Knob}

    def _chosen(self):
        count = max(len(self._inputs), 1)
        return self.input(min(max(int(self._knobs["which"].value()), 0), count - 1))

    def firstFrame(self):
        return self._chosen().firstFrame()

    def lastFrame(self):
        return self._chosen().lastFrame()

    def format(self):
        return self._chosen().format()

    def _process(self, frame):
        return self._chosen()._render(frame)


class Group(Node):
    def __init__(self, node_class, parent, **knobs):
        self._children = []
        super().__init__(node_class, parent, **knobs)

    def begin(self):
        _context.append(self)

    def end(self):
        if _context[-1] is self:
            _context.pop()

    def nodes(self):
        return list(self._children)

    def node(self, name):
        return next((n for n in self._children if n.name() == name), None)

    def _output(self):
        found = next((n for n in self._children if isinstance(n, Output)), None)
        if found is None or found.input(0) is None:
            raise RuntimeError(f"{self.fullName()}: the group has no connected Output")
        return found.input(0)

    def firstFrame(self):
        return self._output().firstFrame()

    def lastFrame(self):
        return self._output().lastFrame()

    def format(self):
        return self._output().format()

    def _process(self, frame):
        return self._output()._render(frame)


class Root(Group):
    _class_knobs = {
        "first_frame": Int_Knob, "last_frame": Int_Knob, "format": String_Knob,
        "project_directory": File_Knob, "proxy": Boolean_Knob, "colorManagement": String_Knob,
        "workingSpaceLUT": String_Knob,
    }


_CLASSES = {
    "Input": Input, "Output": Output, "Read": Read, "Write": Write, "Copy": Copy, "Premult": Premult,
    "Multiply": Multiply, "Switch": Switch, "Group": Group,
}


def _this_module():
    import sys

    return sys.modules[__name__]


# ---------------------------------------------------------------------------
# Module functions
# ---------------------------------------------------------------------------

_root: Root = None  # set by reset()
_context: list = []  # groups entered with begin(); the root at the bottom
_this_node = None
_this_knob = None
_callbacks: dict = {}
_main_thread_calls: list = []
_main_thread_lock = threading.Lock()
messages: list = []  # what nuke.message showed
progress_tasks: list = []
menus: dict = {}
executed: list = []  # (node full name, first, last) of every nuke.execute


def _create(node_class, **knobs):
    factory = _CLASSES.get(node_class)
    if factory is None:
        raise RuntimeError(f"{node_class}: unknown command (not in the stand-in)")
    return factory(node_class, _context[-1], **knobs)


class _NodeConstructor:
    """``nuke.nodes.Blur(size=3)``: a node of that class in the current group."""

    def __getattr__(self, node_class):
        return lambda **knobs: _create(node_class, **knobs)


nodes = _NodeConstructor()


def createNode(node, args="", inpanel=True):
    if args:
        raise NotImplementedError("the stand-in takes no TCL knob arguments")
    return _create(node)


def root():
    return _root


def toNode(name):
    current = _root
    for part in name.split("."):
        current = current.node(part) if isinstance(current, Group) else None
        if current is None:
            return None
    return current


def thisNode():
    return _this_node


def thisKnob():
    return _this_knob


def allNodes(filter=None, group=None, recurseGroups=False):
    found = []

    def visit(parent):
        for node in parent.nodes():
            if filter is None or node.Class() == filter:
                found.append(node)
            if recurseGroups and isinstance(node, Group):
                visit(node)

    visit(group or _context[-1])
    return found


def scriptName():
    name = _root["name"].value()
    if not name:
        raise RuntimeError("No script name")
    return name


def message(prompt):
    messages.append(prompt)


def execute(nameOrNode, start=None, end=None, incr=1, views=None, continueOnError=False):
    node = toNode(nameOrNode) if isinstance(nameOrNode, str) else nameOrNode
    if not isinstance(node, Write):
        raise RuntimeError(f"{node}: not an executable node")
    if node["disable"].value():
        raise RuntimeError(f"{node.fullName()}: node is disabled")
    start = int(root()["first_frame"].value()) if start is None else start
    end = int(root()["last_frame"].value()) if end is None else end
    _run_callbacks("beforeRender", node)
    executed.append((node.fullName(), start, end))
    for frame in range(start, end + 1, incr):
        node._write(frame)


def executeInMainThread(call, args=(), kwargs={}):
    if not isinstance(args, tuple):
        args = (args,)
    with _main_thread_lock:
        _main_thread_calls.append((call, args, dict(kwargs)))


class ProgressTask:
    def __init__(self, name, maximum=100, flags=0):
        self.name = name
        self.messages = []
        self.progress = []
        self._cancelled = False
        progress_tasks.append(self)

    def setMessage(self, s):
        self.messages.append(s)

    def setProgress(self, i):
        self.progress.append(int(i))

    def isCancelled(self):
        return self._cancelled

    def cancel(self):  # test control: the user presses the progress bar's cancel
        self._cancelled = True


class Menu:
    def __init__(self, name):
        self.name = name
        self.items = {}

    def addMenu(self, **kwargs):
        # Keyword arguments only, as documented: name, icon, tooltip, index, tag.
        name = kwargs["name"]
        return self.items.setdefault(name, Menu(name))

    def addCommand(self, name, command, shortcut="", icon="", tooltip="", index=-1, readonly=False):
        self.items[name] = command
        return command


def menu(name):
    return menus.setdefault(name, Menu(name))


def _add_callback(kind, call, args, kwargs, nodeClass):
    if not callable(call):
        raise ValueError("call must be a callable")
    _callbacks.setdefault(kind, []).append((call, tuple(args), dict(kwargs), nodeClass))


def addBeforeRender(call, args=(), kwargs={}, nodeClass="Write"):
    _add_callback("beforeRender", call, args, kwargs, nodeClass)


def addOnScriptLoad(call, args=(), kwargs={}, nodeClass="Root"):
    _add_callback("onScriptLoad", call, args, kwargs, nodeClass)


def addKnobChanged(call, args=(), kwargs={}, nodeClass="*"):
    _add_callback("knobChanged", call, args, kwargs, nodeClass)


def _run_callbacks(kind, node, knob=None):
    global _this_node, _this_knob
    saved = _this_node, _this_knob
    _this_node, _this_knob = node, knob
    try:
        for call, args, kwargs, node_class in list(_callbacks.get(kind, [])):
            if node_class in ("*", node.Class()):
                call(*args, **kwargs)
    finally:
        _this_node, _this_knob = saved


# ---------------------------------------------------------------------------
# Test controls (not Nuke API)
# ---------------------------------------------------------------------------


def reset(gui=False, script_path="", first=1, last=100):
    """A fresh session: an empty script, no callbacks, nothing shown."""
    global GUI, _root, _this_node, _this_knob
    GUI = gui
    _root = Root("Root", None, name="root")
    _root["name"]._value = script_path
    _root["first_frame"].setValue(first)
    _root["last_frame"].setValue(last)
    _root["format"].setValue("HD_1080")
    _context[:] = [_root]
    _this_node = _this_knob = None
    _callbacks.clear()
    _main_thread_calls.clear()
    for registry in (messages, progress_tasks, executed):
        registry.clear()
    menus.clear()


def user_set(node, knob_name, value):
    """The user changes a knob in the panel: Nuke sets it, then runs knobChanged."""
    node[knob_name].setValue(value)
    _run_callbacks("knobChanged", node, node[knob_name])


def user_connect(node, index, upstream):
    """The user drags a pipe: Nuke reports it to knobChanged as 'inputChange'."""
    node.setInput(index, upstream)
    _run_callbacks("knobChanged", node, Knob("inputChange"))


def press(node, knob_name):
    """The user presses a button: its command runs with thisNode() = the node."""
    global _this_node, _this_knob
    saved = _this_node, _this_knob
    _this_node, _this_knob = node, node[knob_name]
    try:
        node[knob_name].execute()
    finally:
        _this_node, _this_knob = saved


def load_script():
    """Nuke just opened a script: onScriptLoad callbacks run with thisNode() = root."""
    _run_callbacks("onScriptLoad", _root)


def run_main_thread_calls():
    """Nuke's event loop: run what other threads queued with executeInMainThread."""
    while True:
        with _main_thread_lock:
            if not _main_thread_calls:
                return
            call, args, kwargs = _main_thread_calls.pop(0)
        call(*args, **kwargs)


def render_pixels(node, frame):
    """What a Viewer would show: channel name -> (height, width) float32, top row first."""
    return node._render(frame).channels


reset()
