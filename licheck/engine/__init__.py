"""From graph and plan to verdict: the closure algebra over the provenance graph, the Auditor that matches clauses, the
plan facts it reads, and what is built on it (alternatives).
"""
