// Not written yet (issue 12 in progress).
