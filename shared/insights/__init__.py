"""Insights: anomalies, trends, changes and top/bottom performers in plain English."""

from shared.insights.engine import RULES, insights_for

__all__ = ["RULES", "insights_for"]
