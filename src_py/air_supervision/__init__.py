"""Real-time supervision of sensor readings on the Hat stack"""
