"""The org: people, their reporting lines, delivery teams and each team's two leads."""
