//! Matching engine (FiiLTER, ARKiiVE, REFiiNE).
