//! Benchmarks of pallet-tee, on the simulated NSM's documents (`benchmark_vectors`): AWS's
//! format and cryptography, with CA bundles of 1 to `MAX_CHAIN_LEN` certificates.
//!
//! `register_enclave` at `n` verifies a bundle of `n` certificates with nothing cached (the
//! first registration from a CA: `n - 1` intermediates, the leaf and the document's
//! signature); `register_enclave_cached` the same bundle with every intermediate cached (a
//! renewal: the leaf and the signature). The call is charged the first at the longest bundle
//! and refunded to what it did.

use super::*;
use crate::{benchmark_vectors as vectors, pallet::*};
use alloc::vec::Vec;
use codec::Decode;
use frame_benchmarking::v2::*;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin,
	},
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::traits::{One, Saturating, TrailingZeroInput};

/// What the benchmarks need from the runtime.
pub trait BenchmarkHelper<AccountId> {
	/// Makes `who` a registered operator.
	fn make_operator(who: &AccountId);
	/// Sets chain time, Unix ms.
	fn set_now(ms: u64);
}

/// The operator the vectors are bound to, registered and funded; chain time just after the
/// vectors were made, on a chain whose genesis hash is the vectors'.
fn operator<T: Config>() -> Result<T::AccountId, BenchmarkError> {
	let who = T::AccountId::decode(&mut TrailingZeroInput::new(&[vectors::ACCOUNT_BYTE; 32]))
		.map_err(|_| BenchmarkError::Stop("account"))?;
	T::BenchmarkHelper::make_operator(&who);
	T::BenchmarkHelper::set_now(vectors::TIME_MS.saturating_add(1_000));
	let genesis =
		T::Hash::decode(&mut &vectors::GENESIS[..]).map_err(|_| BenchmarkError::Stop("hash"))?;
	frame_system::BlockHash::<T>::insert(BlockNumberFor::<T>::default(), genesis);
	let plenty = T::EnclaveDeposit::get()
		.saturating_add(T::Currency::minimum_balance())
		.saturating_add(One::one())
		.saturating_mul(4u32.into());
	T::Currency::set_balance(&who, plenty);
	Ok(who)
}

/// The vector with a bundle of `n` certificates, bound to the benchmark operator; its root
/// trusted and its image allowed for the most models.
fn document<T: Config>(
	who: &T::AccountId,
	n: u32,
) -> Result<BoundedVec<u8, T::MaxDocumentLen>, BenchmarkError> {
	let bytes = vectors::document(n, who.encoded_size())
		.ok_or(BenchmarkError::Stop("no vector for this chain or account length"))?;
	let sign1 = aos_nitro::cose::Sign1::parse(bytes).map_err(|_| BenchmarkError::Stop("vector"))?;
	let doc = aos_nitro::AttestationDocument::parse(sign1.payload)
		.map_err(|_| BenchmarkError::Stop("vector"))?;
	let root = doc.cabundle.first().ok_or(BenchmarkError::Stop("vector"))?;
	TrustedRoots::<T>::put(BoundedVec::truncate_from(alloc::vec![
		<T::Crypto as aos_nitro::Crypto>::sha256(root)
	]));
	allow_vectors_image::<T>(most_models::<T>());
	BoundedVec::try_from(bytes.to_vec()).map_err(|_| BenchmarkError::Stop("vector too long"))
}

/// Allows the vectors' image for `models`; returns its id.
fn allow_vectors_image<T: Config>(models: BoundedVec<ModelId, T::MaxModelsPerImage>) -> ImageId {
	let image = image_id(&vectors::PCRS);
	Images::<T>::insert(image, ImageInfo { pcrs: vectors::PCRS, models, revoked: false });
	image
}

/// The governance origin, or no benchmark if the runtime has none.
fn governance<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

/// The key type of [`live_enclave`]'s keys in the benchmark's keystore.
pub const BENCHMARK_KEY_TYPE: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"aost");

/// Gives `who` a live enclave, of an image allowed for the most models an image may serve with
/// `model` the last of them (the costliest lookup), whose ed25519 key is generated in the
/// keystore under [`BENCHMARK_KEY_TYPE`]: what benchmarks of TEE-mode results sign with.
pub fn live_enclave<T: Config>(who: &T::AccountId, model: ModelId) -> ed25519::Public {
	let key =
		sp_io::crypto::ed25519_generate(BENCHMARK_KEY_TYPE, Some(b"//aos-tee-benchmark".to_vec()));
	let mut models = most_models::<T>().into_inner();
	models.retain(|m| *m != model);
	models.truncate(T::MaxModelsPerImage::get().saturating_sub(1) as usize);
	models.push(model);
	let image = allow_vectors_image::<T>(BoundedVec::truncate_from(models));
	Enclaves::<T>::insert(
		who,
		EnclaveInfo {
			key,
			image,
			module: H256::zero(),
			attested_at_ms: vectors::TIME_MS,
			expires_at_ms: u64::MAX,
			deposit: T::EnclaveDeposit::get(),
		},
	);
	key
}

fn most_models<T: Config>() -> BoundedVec<ModelId, T::MaxModelsPerImage> {
	let models: Vec<ModelId> =
		(0..T::MaxModelsPerImage::get()).map(|i| H256::repeat_byte(i as u8)).collect();
	BoundedVec::truncate_from(models)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A first registration: a bundle of `n` certificates, none cached.
	#[benchmark]
	fn register_enclave(
		n: Linear<1, { aos_nitro::MAX_CHAIN_LEN as u32 }>,
	) -> Result<(), BenchmarkError> {
		let who = operator::<T>()?;
		let doc = document::<T>(&who, n)?;

		#[extrinsic_call]
		register_enclave(RawOrigin::Signed(who.clone()), doc);

		ensure!(Enclaves::<T>::contains_key(&who), "not registered");
		ensure!(CachedCertificates::<T>::count() == n.saturating_sub(1), "not cached");
		Ok(())
	}

	/// A renewal: a bundle of `n` certificates, every intermediate cached.
	#[benchmark]
	fn register_enclave_cached(
		n: Linear<1, { aos_nitro::MAX_CHAIN_LEN as u32 }>,
	) -> Result<(), BenchmarkError> {
		let who = operator::<T>()?;
		let doc = document::<T>(&who, n)?;
		Pallet::<T>::register_enclave(RawOrigin::Signed(who.clone()).into(), doc.clone())?;

		#[extrinsic_call]
		register_enclave(RawOrigin::Signed(who.clone()), doc);

		ensure!(Enclaves::<T>::contains_key(&who), "not registered");
		Ok(())
	}

	#[benchmark]
	fn deregister_enclave() -> Result<(), BenchmarkError> {
		let who = operator::<T>()?;
		let doc = document::<T>(&who, 1)?;
		Pallet::<T>::register_enclave(RawOrigin::Signed(who.clone()).into(), doc)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		ensure!(!Enclaves::<T>::contains_key(&who), "still registered");
		Ok(())
	}

	#[benchmark]
	fn set_trusted_roots() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let roots: Vec<Fingerprint> = (0..MAX_TRUSTED_ROOTS).map(|i| [i as u8; 32]).collect();

		#[extrinsic_call]
		_(origin, BoundedVec::truncate_from(roots));

		ensure!(TrustedRoots::<T>::get().len() as u32 == MAX_TRUSTED_ROOTS, "roots");
		Ok(())
	}

	#[benchmark]
	fn allow_image() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin, vectors::PCRS, most_models::<T>());

		ensure!(Images::<T>::contains_key(image_id(&vectors::PCRS)), "image");
		Ok(())
	}

	#[benchmark]
	fn revoke_image() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let image = allow_vectors_image::<T>(most_models::<T>());

		#[extrinsic_call]
		_(origin, image);

		ensure!(Images::<T>::get(image).is_some_and(|i| i.revoked), "not revoked");
		Ok(())
	}

	#[benchmark]
	fn revoke_enclave() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let who = operator::<T>()?;
		let doc = document::<T>(&who, 1)?;
		Pallet::<T>::register_enclave(RawOrigin::Signed(who.clone()).into(), doc)?;

		#[extrinsic_call]
		_(origin, who.clone());

		ensure!(!Enclaves::<T>::contains_key(&who), "still registered");
		Ok(())
	}

	#[benchmark]
	fn set_max_document_age() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin, 600_000);

		ensure!(MaxDocumentAge::<T>::get() == 600_000, "age");
		Ok(())
	}

	/// A TEE-mode result checked against its enclave's key: the enclave and its image looked up
	/// (the model last of the most an image may serve), one ed25519 verification.
	#[benchmark]
	fn check_result() -> Result<(), BenchmarkError> {
		let who = operator::<T>()?;
		let model = *most_models::<T>().last().ok_or(BenchmarkError::Stop("no model"))?;
		let key = live_enclave::<T>(&who, model);
		let (input, output, top) = (H256([3; 32]), H256([4; 32]), [1u32; 32]);
		let message =
			aos_inference_primitives::tee::result_message(7, &model, &input, &output, &top);
		let signature = sp_io::crypto::ed25519_sign(BENCHMARK_KEY_TYPE, &key, &message)
			.ok_or(BenchmarkError::Stop("no signature"))?;
		let result;

		#[block]
		{
			result = Pallet::<T>::check_result(&who, &model, 7, &input, &output, &top, &signature);
		}

		ensure!(result.is_ok(), "the result was refused");
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(Vec::new()), crate::mock::Test);
}
