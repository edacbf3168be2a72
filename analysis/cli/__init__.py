"""The command line, ``python -m analysis ...``: one module per command group.
On top of the road: may import every stage, the pipeline and the store.
"""
