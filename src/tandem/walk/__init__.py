"""The walk: detectors from every domain look across the org and report findings with evidence."""
