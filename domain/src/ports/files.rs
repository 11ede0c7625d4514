//! The Box port (upstreams.md U3): client folders and their metadata.
