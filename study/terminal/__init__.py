"""Plain terminal faces (Rich, no Textual): `study questions`, `study quiz`, `study learn`; they work over SSH
and in a pipe."""
