"""The live classroom (`study class`, `study join`): a room that students join from a browser page or a terminal,
answering the presenter's prediction cards from their own devices.

No Textual or Rich here (tests/test_boundary.py proves it): the room (room.py) and its SQLite store (store.py) are
plain Python, the HTTP side (server.py) is aiohttp, the terminal client's transport (client.py) is urllib; network.py says where a server listens (shared
with `study serve`). The faces
are study/tui/screens/classroom.py (presenter), study/tui/join.py (terminal student) and the page in page.html.
"""
