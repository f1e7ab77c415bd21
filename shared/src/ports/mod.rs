//! Ports: the small traits the domain needs from the outside world.

pub mod ats;
pub mod clock;
pub mod connections;
pub mod events;
pub mod lever;
pub mod profiles;
pub mod provider;
pub mod rate;
pub mod secrets;
pub mod store;

pub use ats::{AtsAdapter, AtsError, Loaded};
pub use clock::{Clock, ManualClock, SystemClock};
pub use connections::{ConnectionStatus, ConnectionStore, LeverConnection};
pub use events::EventPublisher;
pub use lever::{LeverAccount, LeverApi, LeverError, OpportunityQuery};
pub use profiles::{CandidateRecord, Candidates, ProfileStore};
pub use provider::{Capabilities, PlacedOrder, ProviderAccount, ProviderAdapter, ProviderError};
pub use rate::RateGate;
pub use secrets::{Secret, SecretSource, SecretsError, TenantSecrets};
pub use store::{Commit, CommitError, Store, StoreError};
