// The workflow bundle's entry point: every process the worker runs is exported here.
