"""Every domain's tables, imported in one place so migrations and ``Base.metadata`` see them all."""

from tandem.org.models import Function, OrgImport, Person, PersonAlias, Team

__all__ = ["Function", "OrgImport", "Person", "PersonAlias", "Team"]
