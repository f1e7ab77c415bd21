//! Ports: the small traits the domain needs from the outside world.

pub mod clock;
pub mod events;
pub mod lever;
pub mod provider;
pub mod rate;
pub mod secrets;
pub mod store;

pub use clock::{Clock, ManualClock, SystemClock};
pub use events::EventPublisher;
pub use lever::{LeverAccount, LeverApi, LeverError, OpportunityQuery};
pub use provider::{
    AllianceApi, BackgroundsOnlineApi, PlacedOrder, ProviderAccount, ProviderError,
};
pub use rate::RateGate;
pub use secrets::{Secret, SecretSource, SecretsError, TenantSecrets};
pub use store::{Commit, CommitError, Store, StoreError};
