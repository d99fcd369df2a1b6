"""Delivery forecasts: when N items will be done, or how many by a date, from throughput history or estimates."""
