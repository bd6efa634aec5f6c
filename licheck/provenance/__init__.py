"""Where a model comes from: the Hub client (transport), cache, embedded snapshot, card and file evidence, and the
resolver that turns an id into a provenance graph.
"""
