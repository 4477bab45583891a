"""A data set in a database instead of a file: ``data.training: {sql: ..., url_env: TRAINING_DB_URL}``.

``compile`` never connects: the spec only names the data. The URL is written in the spec only when it
holds no secret (``duckdb://data/train.duckdb``, a ``.duckdb`` path, ``postgresql://host/db`` with
trust or ``.pgpass`` authentication); a URL with a password is refused (it would be committed and
copied into every generated file): ``url_env`` names the environment variable holding it instead.
"""
from __future__ import annotations

from typing import Annotated, Union
from urllib.parse import urlsplit

from pydantic import Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

from .common import _Model

__all__ = ["SqlSource", "DataLocation", "LOCATION_TAGS"]

_SCHEMES = ("postgresql://", "postgres://", "duckdb://")
_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


def _error(message: str, at: str, code: str = "SG104", **values) -> PydanticCustomError:
    return PydanticCustomError("data_source", message, {**values, "at": (at,), "code": code})


class SqlSource(_Model):
    sql: str | None = Field(None, min_length=1, description="A query whose rows are the data (SELECT ...), run "
                                                            "as written; give sql or table.")
    table: str | None = Field(None, min_length=1, description="A table whose rows are the data (its name is "
                                                              "quoted as an identifier); give sql or table.")
    url: str | None = Field(None, description="The database: duckdb://PATH (relative to the spec file), a .duckdb "
                                              "path, or postgresql://... without a password; give url or url_env.")
    url_env: str | None = Field(None, pattern=_ENV_NAME,
                                description="The environment variable holding the database URL (keeps the "
                                            "password out of the spec); give url or url_env.")

    @model_validator(mode="after")
    def _one_of_each(self):
        if (self.sql is None) == (self.table is None):
            where = "table" if self.sql is not None else "sql"
            raise _error("give exactly one of sql (a query) and table (a table name)", where,
                         "SG103" if self.sql is not None else "SG102")
        if (self.url is None) == (self.url_env is None):
            where = "url_env" if self.url is not None else "url"
            raise _error("give exactly one of url and url_env (the environment variable holding the URL)", where,
                         "SG103" if self.url is not None else "SG102")
        if self.url is not None:
            _check_url(self.url)
        return self


def _check_url(url: str) -> None:
    """A database URL the runtime can open, holding no secret; the message never repeats the URL."""
    if "${" in url or url.startswith("$"):
        raise _error("write the environment variable's name as url_env: NAME (the URL is not expanded)", "url")
    if not (url.startswith(_SCHEMES) or url.lower().endswith(".duckdb")):
        raise _error("url must start with postgresql://, postgres:// or duckdb://, or be a .duckdb path", "url")
    if "://" in url:
        try:
            password = urlsplit(url).password
        except ValueError:
            raise _error("url is not a valid URL", "url") from None
        if password is not None:
            raise _error("url holds a password, which would be committed with the spec and copied into the "
                         "generated files: put the URL in an environment variable and name it as url_env", "url")


def _location_kind(value) -> str:
    return "(database)" if isinstance(value, (dict, SqlSource)) else "(file)"


#: the tags pydantic puts into an error's location (validate drops them: they are not keys of the spec)
LOCATION_TAGS = ("(file)", "(database)")

#: what data.training/serving/evaluation hold: a path (str) or a table or query in a database
DataLocation = Annotated[Union[Annotated[str, Tag("(file)")], Annotated[SqlSource, Tag("(database)")]],
                         Discriminator(_location_kind)]
