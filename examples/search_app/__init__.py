"""A small downstream app: search a Mixpeek retriever and return the documents' titles.

It uses the official ``mixpeek`` client and is tested against the toolkit's mock with the
pytest plugin's fixtures (see ``tests/examples/``).
"""

from search_app.search import RateLimited, SearchError, SearchFailed, SearchTimedOut, search_titles

__all__ = ["RateLimited", "SearchError", "SearchFailed", "SearchTimedOut", "search_titles"]
