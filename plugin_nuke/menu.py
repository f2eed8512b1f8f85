import nuke, videomama_nuke.binding
if nuke.GUI: videomama_nuke.binding.on_menu()
