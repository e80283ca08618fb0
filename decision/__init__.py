"""The decision core: content models, loader, validation and scoring.

Pure Python. Nothing here imports streamlit, so the engine can be used from the
command line, from tests and from any front end.
"""

from decision.content import DEFAULT_CONTENT_DIR, load_content
from decision.engine import AnswerError, Result, score, validate_answers
from decision.errors import ContentError, Problem

__all__ = [
    "DEFAULT_CONTENT_DIR",
    "AnswerError",
    "ContentError",
    "Problem",
    "Result",
    "load_content",
    "score",
    "validate_answers",
]
