import videomama_nuke.binding
videomama_nuke.binding.on_init()
