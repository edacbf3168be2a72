"""Events: articles -> events.  Features, a sparse neighbour graph with a date window and average
linkage, the EventGrouper; imports only models and settings (never ingest, compare or present).
"""
