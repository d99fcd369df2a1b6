"""Trust between product and engineering: short recurring pulses, scored and released only in safe groups."""
