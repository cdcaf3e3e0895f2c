"""HTTP routes, one module per resource: each handler parses, makes one service call, and responds."""
