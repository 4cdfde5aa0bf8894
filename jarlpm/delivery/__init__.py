"""Delivery reality (/api/delivery-reality): scope against capacity, scope plans, and the capacity
arithmetic every planning room uses (rules.py)."""
