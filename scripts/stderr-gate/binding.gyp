# Built by `iwlab engine install` beside the native engine (src/engine/installEngine.ts).
{ 'targets': [{ 'target_name': 'stderr_gate', 'sources': ['stderr_gate.c'] }] }
