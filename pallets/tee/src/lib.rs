//! # TEE pallet
//!
//! TEE mode's chain side: operators run models inside AWS Nitro enclaves, and the chain trusts
//! a result because an enclave it has verified signed it. This pallet keeps what that trust
//! rests on.
//!
//! - **Roots.** The certificates an attestation must chain to, by SHA-256 fingerprint
//!   ([`TrustedRoots`]): from genesis, changed only by [`Config::GovernanceOrigin`]
//!   ([`Pallet::set_trusted_roots`]). Production and testnet trust only the AWS Nitro Enclaves
//!   Root-G1; the dev and local chains trust the simulated NSM's root instead
//!   (`aos_nitro::simulated`), whose keys are public.
//! - **Images.** The enclave images governance allows, by their measurements PCR0, PCR1 and
//!   PCR2, with the models each may run ([`Images`], [`Pallet::allow_image`],
//!   [`Pallet::revoke_image`]).
//! - **Enclaves.** An operator registers its enclave with the attestation document its NSM
//!   made ([`Pallet::register_enclave`]). The runtime verifies it natively (`aos_nitro`): the
//!   COSE_Sign1 structure, the ES384 signature, the certificate chain to a trusted root with
//!   every certificate valid at the document's timestamp; then this pallet's rules: the
//!   timestamp fresh against chain time ([`MaxDocumentAge`]), the PCRs an allowed image's, the
//!   `user_data` binding the caller's account on this chain
//!   ([`aos_inference_primitives::tee::enclave_binding`]), the `public_key` an ed25519 key. The
//!   key is stored until the chain's first certificate expires, with a deposit
//!   ([`Config::EnclaveDeposit`]); the enclave re-registers before then.
//! - **Cache.** CA certificates verified once are remembered until they expire
//!   ([`CachedCertificates`], at most [`Config::MaxCachedCertificates`]), so that a later
//!   registration from the same CA checks only the leaf and the document's signature. When the
//!   cache is full, `on_idle` drops its expired entries with the block's spare weight.
//! - **Revocation.** Governance revokes an image or an enclave's key
//!   ([`Pallet::revoke_enclave`]); a revoked key cannot be registered again while its document
//!   could still be fresh. [`Pallet::enclave_for`] is what a TEE-mode result is checked
//!   against: it answers only for live, unrevoked enclaves of allowed images.
//!
//! TEE-mode tasks themselves live in `pallet-inference`, which sees this pallet through
//! [`aos_inference_primitives::tee::TeeEnclaves`]: only operators with a live enclave allowed
//! for the task's model may claim one, and its result settles the task when the enclave's key
//! signed it.

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests and benchmark setups may).
#![cfg_attr(
	not(feature = "runtime-benchmarks"),
	deny(clippy::unwrap_used, clippy::indexing_slicing)
)]

extern crate alloc;

#[cfg(any(test, feature = "runtime-benchmarks"))]
pub mod benchmark_vectors;
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use aos_inference_primitives::ModelId;
use frame_support::traits::fungible;
use sp_core::{ed25519, H256};

type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

pub(crate) const LOG_TARGET: &str = "runtime::tee";

/// The most roots the chain trusts at once.
pub const MAX_TRUSTED_ROOTS: u32 = 4;

/// How far ahead of chain time a document's timestamp may be (the NSM's clock and the block
/// author's differ a little).
pub const MAX_CLOCK_SKEW_MS: u64 = 30_000;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible::MutateHold, tokens::Precision, Contains, UnixTime},
	};
	use frame_system::pallet_prelude::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Holds enclave deposits.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::Mutate<Self::AccountId>;

		/// The accounts that may register an enclave: the registered operators.
		type Operators: Contains<Self::AccountId>;

		/// Chain time, against which documents must be fresh and keys unexpired.
		type UnixTime: UnixTime;

		/// SHA-256, SHA-384 and P-384 ECDSA for the verifier: `aos_nitro::Pure` runs them in
		/// the runtime.
		type Crypto: aos_nitro::Crypto;

		/// Sets the trusted roots, allows and revokes images, revokes enclaves, sets
		/// [`MaxDocumentAge`].
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Longest attestation document, in bytes (at most `aos_nitro::MAX_DOCUMENT_LEN`).
		#[pallet::constant]
		type MaxDocumentLen: Get<u32>;

		/// Most models an image may serve.
		#[pallet::constant]
		type MaxModelsPerImage: Get<u32>;

		/// Most CA certificates remembered as verified.
		#[pallet::constant]
		type MaxCachedCertificates: Get<u32>;

		/// Held for every registered enclave.
		#[pallet::constant]
		type EnclaveDeposit: Get<BalanceOf<Self>>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Makes operators and sets chain time for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A registered enclave's deposit.
		EnclaveDeposit,
	}

	/// The roots attestations must chain to, by SHA-256 fingerprint of their DER encoding.
	#[pallet::storage]
	pub type TrustedRoots<T: Config> =
		StorageValue<_, BoundedVec<Fingerprint, ConstU32<MAX_TRUSTED_ROOTS>>, ValueQuery>;

	/// The enclave images governance allowed (or revoked), by [`image_id`].
	#[pallet::storage]
	pub type Images<T: Config> = StorageMap<_, Identity, ImageId, ImageInfo<T::MaxModelsPerImage>>;

	/// Each operator's registered enclave.
	#[pallet::storage]
	pub type Enclaves<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, EnclaveInfo<BalanceOf<T>>>;

	/// Enclave keys governance revoked, until their documents can no longer be fresh (Unix ms).
	#[pallet::storage]
	pub type RevokedKeys<T: Config> = StorageMap<_, Identity, ed25519::Public, u64>;

	/// CA certificates verified before, by fingerprint, until they expire.
	#[pallet::storage]
	pub type CachedCertificates<T: Config> =
		CountedStorageMap<_, Identity, Fingerprint, CachedCertificate>;

	/// How old (Unix ms, against chain time) a document may be when it is registered.
	#[pallet::storage]
	pub type MaxDocumentAge<T: Config> = StorageValue<_, u64, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The trusted roots' SHA-256 fingerprints.
		pub trusted_roots: Vec<Fingerprint>,
		/// [`MaxDocumentAge`], Unix ms.
		pub max_document_age_ms: u64,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let roots = BoundedVec::try_from(self.trusted_roots.clone())
				.unwrap_or_else(|_| panic!("at most {MAX_TRUSTED_ROOTS} trusted roots"));
			TrustedRoots::<T>::put(roots);
			MaxDocumentAge::<T>::put(self.max_document_age_ms);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An operator registered (or renewed) its enclave.
		EnclaveRegistered {
			operator: T::AccountId,
			key: ed25519::Public,
			image: ImageId,
			expires_at_ms: u64,
			/// CA certificates verified for the first time (and now cached).
			newly_verified: u32,
		},
		/// An operator removed its enclave; the deposit was released.
		EnclaveDeregistered { operator: T::AccountId },
		/// Governance revoked an operator's enclave key.
		EnclaveRevoked { operator: T::AccountId, key: ed25519::Public },
		/// Governance allowed an image, for these models.
		ImageAllowed { image: ImageId, models: Vec<ModelId> },
		/// Governance revoked an image.
		ImageRevoked { image: ImageId },
		/// Governance set the trusted roots.
		TrustedRootsSet { count: u32 },
		/// Governance set [`MaxDocumentAge`].
		MaxDocumentAgeSet { ms: u64 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The bytes are not a COSE_Sign1 attestation document in AWS's format.
		MalformedDocument,
		/// A certificate of the chain is not a P-384, ecdsa-with-SHA384 X.509 certificate the
		/// verifier reads, or the chain is too long.
		MalformedCertificate,
		/// The chain does not start at a trusted root.
		UntrustedRoot,
		/// A certificate is not issued by the one before it (names, signature, or an issuer that
		/// may not issue).
		BrokenChain,
		/// A certificate is not valid at the document's timestamp.
		CertificateNotValid,
		/// The document's signature does not verify under its leaf certificate.
		BadSignature,
		/// The document is older than [`MaxDocumentAge`].
		StaleDocument,
		/// The document's timestamp is ahead of chain time by more than the allowed skew.
		FutureDocument,
		/// The document lacks PCR0, PCR1 or PCR2 of 48 bytes.
		MissingPcrs,
		/// Governance has not allowed this image.
		ImageNotAllowed,
		/// Governance revoked this image.
		ImageRevoked,
		/// The document's `user_data` is not the binding of the caller's account on this chain.
		BindingMismatch,
		/// The document's `public_key` is not a 32-byte ed25519 key.
		NotAnEd25519Key,
		/// Governance revoked this key.
		KeyRevoked,
		/// Only registered operators register enclaves.
		NotAnOperator,
		/// Not enough free funds for the deposit.
		InsufficientFunds,
		/// No such image.
		UnknownImage,
		/// The operator has no registered enclave.
		UnknownEnclave,
		/// A root is listed twice.
		DuplicateRoot,
	}

	impl<T> From<aos_nitro::Error> for Error<T> {
		fn from(e: aos_nitro::Error) -> Self {
			use aos_nitro::Error as N;
			match e {
				N::TooLarge | N::MalformedCose | N::UnsupportedHeader | N::MalformedDocument(_) => {
					Error::MalformedDocument
				},
				N::MalformedCertificate(_) | N::ChainLength => Error::MalformedCertificate,
				N::UntrustedRoot => Error::UntrustedRoot,
				N::IssuerMismatch(_) | N::CertificateSignature(_) | N::NotAnIssuer(_) => {
					Error::BrokenChain
				},
				N::CertificateNotValid(_) => Error::CertificateNotValid,
				N::Signature => Error::BadSignature,
			}
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers the caller's enclave from its attestation document (or renews it with a
		/// newer one): the document verified natively, fresh, of an allowed image, bound to the
		/// caller; its `public_key` becomes the enclave's key. Holds the deposit the first time.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_enclave(aos_nitro::MAX_CHAIN_LEN as u32))]
		pub fn register_enclave(
			origin: OriginFor<T>,
			document: BoundedVec<u8, T::MaxDocumentLen>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(T::Operators::contains(&who), Error::<T>::NotAnOperator);
			let now_ms = Self::now_ms();
			// The chain is checked as of the document's making; its freshness is ours to judge.
			let verified =
				aos_nitro::verify_as_made::<T::Crypto>(&document, &ChainTrust::<T>::new())
					.map_err(Error::<T>::from)?;
			let doc = &verified.document;
			ensure!(
				doc.timestamp_ms <= now_ms.saturating_add(MAX_CLOCK_SKEW_MS),
				Error::<T>::FutureDocument
			);
			ensure!(
				now_ms.saturating_sub(doc.timestamp_ms) <= MaxDocumentAge::<T>::get(),
				Error::<T>::StaleDocument
			);
			let pcr = |i| doc.pcrs.get(i).and_then(|p| Pcr::try_from(p).ok());
			let pcrs = [pcr(0), pcr(1), pcr(2)];
			let [Some(p0), Some(p1), Some(p2)] = pcrs else {
				return Err(Error::<T>::MissingPcrs.into());
			};
			let image = image_id(&[p0, p1, p2]);
			let info = Images::<T>::get(image).ok_or(Error::<T>::ImageNotAllowed)?;
			ensure!(!info.revoked, Error::<T>::ImageRevoked);
			let binding = aos_inference_primitives::tee::enclave_binding(
				&Self::genesis_hash(),
				&aos_inference_primitives::account_bytes(&who),
			);
			ensure!(doc.user_data == Some(&binding[..]), Error::<T>::BindingMismatch);
			let key = doc
				.public_key
				.and_then(|k| <[u8; 32]>::try_from(k).ok())
				.map(ed25519::Public::from_raw)
				.ok_or(Error::<T>::NotAnEd25519Key)?;
			ensure!(!RevokedKeys::<T>::contains_key(key), Error::<T>::KeyRevoked);

			let deposit = match Enclaves::<T>::get(&who) {
				Some(old) => old.deposit,
				None => {
					let deposit = T::EnclaveDeposit::get();
					T::Currency::hold(&HoldReason::EnclaveDeposit.into(), &who, deposit)
						.map_err(|_| Error::<T>::InsufficientFunds)?;
					deposit
				},
			};
			let newly_verified = verified.newly_verified.len() as u32;
			for c in &verified.newly_verified {
				Self::remember(c);
			}
			let expires_at_ms = verified.valid_until_ms;
			Enclaves::<T>::insert(
				&who,
				EnclaveInfo {
					key,
					image,
					module: H256(sp_crypto_hashing::blake2_256(doc.module_id.as_bytes())),
					attested_at_ms: doc.timestamp_ms,
					expires_at_ms,
					deposit,
				},
			);
			// Charged for the longest bundle; refunded to what was verified: a renewal (every
			// intermediate cached) costs the cached benchmark, anything else the cold one.
			let bundle = verified.document.cabundle.len() as u32;
			let actual = if newly_verified == 0 {
				T::WeightInfo::register_enclave_cached(bundle)
			} else {
				T::WeightInfo::register_enclave(bundle)
			};
			Self::deposit_event(Event::EnclaveRegistered {
				operator: who,
				key,
				image,
				expires_at_ms,
				newly_verified,
			});
			Ok(Some(actual).into())
		}

		/// Removes the caller's enclave and releases its deposit.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::deregister_enclave())]
		pub fn deregister_enclave(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let info = Enclaves::<T>::take(&who).ok_or(Error::<T>::UnknownEnclave)?;
			T::Currency::release(
				&HoldReason::EnclaveDeposit.into(),
				&who,
				info.deposit,
				Precision::BestEffort,
			)?;
			Self::deposit_event(Event::EnclaveDeregistered { operator: who });
			Ok(())
		}

		/// Sets the trusted roots (SHA-256 fingerprints of their DER encoding). Cached
		/// certificates under a root no longer trusted are not used again.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_trusted_roots())]
		pub fn set_trusted_roots(
			origin: OriginFor<T>,
			roots: BoundedVec<Fingerprint, ConstU32<MAX_TRUSTED_ROOTS>>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			for (i, root) in roots.iter().enumerate() {
				ensure!(
					!roots.iter().skip(i.saturating_add(1)).any(|r| r == root),
					Error::<T>::DuplicateRoot
				);
			}
			let count = roots.len() as u32;
			TrustedRoots::<T>::put(roots);
			Self::deposit_event(Event::TrustedRootsSet { count });
			Ok(())
		}

		/// Allows an enclave image (PCR0, PCR1, PCR2) to serve `models`; on an allowed or
		/// revoked image, replaces its models and lifts the revocation.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::allow_image())]
		pub fn allow_image(
			origin: OriginFor<T>,
			pcrs: [Pcr; 3],
			models: BoundedVec<ModelId, T::MaxModelsPerImage>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let image = image_id(&pcrs);
			let list = models.to_vec();
			Images::<T>::insert(image, ImageInfo { pcrs, models, revoked: false });
			Self::deposit_event(Event::ImageAllowed { image, models: list });
			Ok(())
		}

		/// Revokes an image: its enclaves no longer register, and their results are refused.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::revoke_image())]
		pub fn revoke_image(origin: OriginFor<T>, image: ImageId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Images::<T>::try_mutate(image, |info| -> DispatchResult {
				info.as_mut().ok_or(Error::<T>::UnknownImage)?.revoked = true;
				Ok(())
			})?;
			Self::deposit_event(Event::ImageRevoked { image });
			Ok(())
		}

		/// Revokes an operator's enclave key: the enclave is removed (its deposit released) and
		/// its key cannot be registered again while its document could still be fresh.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::revoke_enclave())]
		pub fn revoke_enclave(origin: OriginFor<T>, operator: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let info = Enclaves::<T>::take(&operator).ok_or(Error::<T>::UnknownEnclave)?;
			let until = info.attested_at_ms.saturating_add(MaxDocumentAge::<T>::get());
			RevokedKeys::<T>::insert(info.key, until.max(info.expires_at_ms));
			T::Currency::release(
				&HoldReason::EnclaveDeposit.into(),
				&operator,
				info.deposit,
				Precision::BestEffort,
			)?;
			Self::deposit_event(Event::EnclaveRevoked { operator, key: info.key });
			Ok(())
		}

		/// Sets how old a document may be when registered, in ms.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_max_document_age())]
		pub fn set_max_document_age(origin: OriginFor<T>, ms: u64) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			MaxDocumentAge::<T>::put(ms);
			Self::deposit_event(Event::MaxDocumentAgeSet { ms });
			Ok(())
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// When the certificate cache is full, drops its expired entries with the block's spare
		/// weight, so that a full cache of expired intermediates does not stop caching (every
		/// renewal would then pay the cold price).
		fn on_idle(_: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::prune_expired_certificates(remaining)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	impl<T: Config> aos_inference_primitives::tee::TeeEnclaves<T::AccountId> for Pallet<T> {
		fn may_run(operator: &T::AccountId, model: &ModelId) -> bool {
			Self::enclave_for(operator, model).is_some()
		}

		fn may_run_weight() -> Weight {
			// The enclave, its key's revocation, its image, and chain time.
			T::DbWeight::get().reads(4)
		}

		fn check_result(
			operator: &T::AccountId,
			model: &ModelId,
			task: aos_inference_primitives::TaskId,
			input_hash: &H256,
			output: &H256,
			top: &[u32],
			signature: &[u8; 64],
		) -> Result<(), ResultRejection> {
			let signature = ed25519::Signature::from_raw(*signature);
			Self::check_result(operator, model, task, input_hash, output, top, &signature)
		}
	}

	impl<T: Config> Pallet<T> {
		/// The key that signs `operator`'s results for `model` now: `Some` only if its enclave
		/// is registered and unexpired, its image allowed (not revoked) for the model, and its
		/// key not revoked.
		pub fn enclave_for(operator: &T::AccountId, model: &ModelId) -> Option<ed25519::Public> {
			let enclave = Enclaves::<T>::get(operator)?;
			if enclave.expires_at_ms < Self::now_ms() || RevokedKeys::<T>::contains_key(enclave.key)
			{
				return None;
			}
			let image = Images::<T>::get(enclave.image)?;
			(!image.revoked && image.models.contains(model)).then_some(enclave.key)
		}

		/// Checks a TEE-mode result: `signature` is `operator`'s enclave key's (as
		/// [`Self::enclave_for`] finds it for `model` now) over
		/// [`aos_inference_primitives::tee::result_message`] of the task, the model, the input's
		/// hash and the result. One ed25519 verification (a host function); its weight is
		/// [`WeightInfo::check_result`].
		pub fn check_result(
			operator: &T::AccountId,
			model: &ModelId,
			task: aos_inference_primitives::TaskId,
			input_hash: &H256,
			output: &H256,
			top: &[u32],
			signature: &ed25519::Signature,
		) -> Result<(), ResultRejection> {
			use sp_runtime::traits::Verify;
			let key = Self::enclave_for(operator, model).ok_or(ResultRejection::NoEnclave)?;
			let message =
				aos_inference_primitives::tee::result_message(task, model, input_hash, output, top);
			if signature.verify(&message[..], &key) {
				Ok(())
			} else {
				Err(ResultRejection::BadSignature)
			}
		}

		pub(crate) fn now_ms() -> u64 {
			T::UnixTime::now().as_millis().try_into().unwrap_or(u64::MAX)
		}

		pub(crate) fn genesis_hash() -> [u8; 32] {
			let hash = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::default());
			// The runtime's hash is BLAKE2-256: 32 bytes.
			<[u8; 32]>::try_from(hash.as_ref()).unwrap_or_default()
		}

		/// Removes expired entries from a full [`CachedCertificates`], reading at most what
		/// `limit` allows; returns the weight used.
		pub(crate) fn prune_expired_certificates(limit: Weight) -> Weight {
			let db = T::DbWeight::get();
			// The counter, and chain time.
			let mut used = db.reads(2);
			if used.any_gt(limit)
				|| CachedCertificates::<T>::count() < T::MaxCachedCertificates::get()
			{
				return used;
			}
			let now = Self::now_ms();
			// Each entry read, and at most removed (the entry and the counter).
			let per_entry = db.reads_writes(1, 2);
			let mut expired = Vec::new();
			for (fingerprint, c) in CachedCertificates::<T>::iter() {
				if used.saturating_add(per_entry).any_gt(limit) {
					break;
				}
				used = used.saturating_add(per_entry);
				if c.not_after_ms < now {
					expired.push(fingerprint);
				}
			}
			for fingerprint in expired {
				CachedCertificates::<T>::remove(fingerprint);
			}
			used
		}

		/// Caches a verified CA certificate, if there is room.
		fn remember(c: &aos_nitro::CachedCertificate) {
			if CachedCertificates::<T>::count() < T::MaxCachedCertificates::get() {
				CachedCertificates::<T>::insert(c.fingerprint, CachedCertificate::from_nitro(c));
			} else {
				log::debug!(target: LOG_TARGET, "certificate cache full; not caching one");
			}
		}

		/// The pallet's invariants: every enclave's image is known and its deposit held; the
		/// cache within its bound; the roots distinct.
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			for (who, info) in Enclaves::<T>::iter() {
				ensure!(Images::<T>::contains_key(info.image), "an enclave of an unknown image");
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::EnclaveDeposit.into(), &who)
						>= info.deposit,
					"an enclave's deposit is not held"
				);
			}
			ensure!(
				CachedCertificates::<T>::count() <= T::MaxCachedCertificates::get(),
				"the certificate cache is over its bound"
			);
			let roots = TrustedRoots::<T>::get();
			for (i, r) in roots.iter().enumerate() {
				ensure!(
					!roots.iter().skip(i.saturating_add(1)).any(|s| s == r),
					"a trusted root twice"
				);
			}
			Ok(())
		}
	}

	/// The verifier's view of the chain's trust: [`TrustedRoots`] and [`CachedCertificates`].
	pub(crate) struct ChainTrust<T> {
		roots: BoundedVec<Fingerprint, ConstU32<MAX_TRUSTED_ROOTS>>,
		_config: core::marker::PhantomData<T>,
	}

	impl<T: Config> ChainTrust<T> {
		pub(crate) fn new() -> Self {
			ChainTrust { roots: TrustedRoots::<T>::get(), _config: Default::default() }
		}
	}

	impl<T: Config> aos_nitro::TrustStore for ChainTrust<T> {
		fn is_trusted_root(&self, fingerprint: &Fingerprint) -> bool {
			self.roots.contains(fingerprint)
		}

		fn cached(&self, fingerprint: &Fingerprint) -> Option<aos_nitro::CachedCertificate> {
			CachedCertificates::<T>::get(fingerprint).map(|c| c.to_nitro(*fingerprint))
		}
	}
}
