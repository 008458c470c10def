"""One module per screen: home (chapter map), learn (lessons), labs (list), lab (predict, watch, explain, what-if)."""
