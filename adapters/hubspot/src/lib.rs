//! HubSpot: the inbound workflow-webhook signatures (upstreams.md U1.12). The CRM client arrives
//! with the upstream-adapters issue.

pub mod signature;
