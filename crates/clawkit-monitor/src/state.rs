//! The monitor's state machine: sightings in, alerts out, with the clock passed in.
