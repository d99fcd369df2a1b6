"""``tandem evaluate``: how truthful the walk is, measured on generated organisations with planted problems.

``cases`` builds each organisation (pure: the demo's generators composed, no database), ``runner`` loads it
through the real imports, walks it and scores the findings against the plants, ``cli`` is the command.
"""
