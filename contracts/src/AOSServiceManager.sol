// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {CheckpointMerkle} from "./CheckpointMerkle.sol";
import {IAllocationManager, IAVSRegistrar, IStrategy, OperatorSet} from "./interfaces/IEigenLayerCore.sol";

/// The AOS AVS on Ethereum. It keeps the AOS operator set (Ethereum address and weight, as the
/// AOS chain's `pallet-checkpoints` holds it), records the chain's checkpoints in order once a
/// quorum of that set's weight has signed them, proves by Merkle inclusion that a task result
/// or a slash is in a recorded checkpoint, and forwards proven slashes to EigenLayer's
/// AllocationManager. Operators register to its operator set through the AllocationManager
/// (this contract is the AVS's registrar).
///
/// Encodings are `aos-checkpoint-primitives`': the digest
/// `keccak256(abi.encode(keccak256("AOS checkpoint v1"), chain, id, previous, root,
/// keccak256(abi.encode(updates))))`, signed EIP-191 (`personal_sign` of its 32 bytes);
/// leaves `keccak256(abi.encode(...))` of their fields.
contract AOSServiceManager is IAVSRegistrar {
    /// A change to the operator set: `operator` weighs `weight` (0 removes it).
    struct Update {
        address operator;
        uint64 weight;
    }

    /// An operator's ECDSA signature of a checkpoint's digest.
    struct Signature {
        bytes32 r;
        bytes32 s;
        uint8 v;
    }

    /// A settled task as a result leaf holds it.
    struct ResultLeaf {
        uint64 task;
        bytes32 model;
        bytes32 output;
        bytes32 result;
        uint32 agreeing;
        uint32 assigned;
    }

    /// An applied slash as a slash leaf holds it.
    struct SlashLeaf {
        uint64 slash;
        bytes32 operator;
        address eth;
        uint8 offence;
        uint128 amount;
        bool referenced;
        uint64 reference_;
    }

    bytes32 public constant DOMAIN = keccak256("AOS checkpoint v1");
    uint8 public constant LEAF_RESULT = 1;
    uint8 public constant LEAF_SLASH = 2;
    /// Half the secp256k1 group order: signatures with a higher `s` are refused (EIP-2), so
    /// that no signature has a second valid form.
    uint256 internal constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    uint32 public constant PARTS = 1_000_000_000;

    /// The AOS chain's genesis hash: checkpoints of any other chain do not verify.
    bytes32 public immutable chain;
    IAllocationManager public immutable allocationManager;
    uint32 public immutable operatorSetId;

    address public owner;
    /// The share of the set's weight a checkpoint needs, in parts per billion (the chain's
    /// `quorum`; the owner keeps them equal).
    uint32 public quorum;

    mapping(address => uint64) public weightOf;
    uint256 public totalWeight;
    uint256 public memberCount;

    /// The last checkpoint recorded, and every recorded checkpoint's root.
    uint64 public lastId;
    mapping(uint64 => bytes32) public rootOf;
    mapping(uint64 => bool) public recorded;

    /// Slash leaves already forwarded to the AllocationManager.
    mapping(bytes32 => bool) public forwarded;
    /// What a slash of each AOS offence kind takes on Ethereum, per strategy (1e18 = all); 0
    /// forwards nothing.
    mapping(uint8 => uint256) public slashWad;
    IStrategy[] internal strategies;

    event CheckpointRecorded(uint64 indexed id, bytes32 root, uint256 signedWeight, uint256 updates);
    event OperatorWeight(address indexed operator, uint64 weight);
    event SlashForwarded(uint64 indexed id, bytes32 indexed leaf, address indexed operator, uint256 slashId);
    event OperatorRegistered(address indexed operator);
    event OperatorDeregistered(address indexed operator);

    error OutOfOrder(uint64 lastId, uint64 id, uint64 previous);
    error BadSignature(uint256 index);
    error SignersNotAscending(uint256 index);
    error NotAMember(address signer);
    error QuorumNotReached(uint256 signed, uint256 total);
    error NotRecorded(uint64 id);
    error NotIncluded();
    error AlreadyForwarded();
    error NothingToSlash(uint8 offence);
    error NotRegistered(address operator);
    error OnlyOwner();
    error OnlyAllocationManager();
    error WrongAVS();
    error BadQuorum();

    /// Deploys the AVS with the AOS chain's bootstrap checkpoint (number 0, final without
    /// signatures on the chain): its root and the first operator set. The deployer reads both
    /// from a finalized AOS block; everything after is checked by signatures.
    constructor(
        bytes32 chain_,
        IAllocationManager allocationManager_,
        uint32 operatorSetId_,
        uint32 quorum_,
        bytes32 bootstrapRoot,
        Update[] memory initialSet
    ) {
        if (quorum_ <= PARTS / 2 || quorum_ > PARTS) revert BadQuorum();
        chain = chain_;
        allocationManager = allocationManager_;
        operatorSetId = operatorSetId_;
        quorum = quorum_;
        owner = msg.sender;
        for (uint256 i = 0; i < initialSet.length; i++) {
            _setWeight(initialSet[i].operator, initialSet[i].weight);
        }
        rootOf[0] = bootstrapRoot;
        recorded[0] = true;
        emit CheckpointRecorded(0, bootstrapRoot, 0, initialSet.length);
    }

    // --- Checkpoints ---------------------------------------------------------------------------

    /// The digest operators sign for a checkpoint.
    function digest(uint64 id, uint64 previous, bytes32 root, Update[] calldata updates)
        public
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(DOMAIN, chain, id, previous, root, keccak256(abi.encode(updates))));
    }

    /// Records checkpoint `id`, the chain's next final one after `previous` (the last recorded
    /// here), if members of at least `quorum` of the set's weight signed it. Signatures are
    /// given in ascending order of their signers' addresses, which makes a repeated signer
    /// fail. The checkpoint's updates are applied after the check: the set that signed is the
    /// set before them.
    function submitCheckpoint(
        uint64 id,
        uint64 previous,
        bytes32 root,
        Update[] calldata updates,
        Signature[] calldata signatures
    ) external {
        if (previous != lastId || id <= lastId) revert OutOfOrder(lastId, id, previous);
        bytes32 signed = keccak256(
            abi.encodePacked("\x19Ethereum Signed Message:\n32", digest(id, previous, root, updates))
        );
        uint256 weight = 0;
        address last = address(0);
        for (uint256 i = 0; i < signatures.length; i++) {
            Signature calldata sig = signatures[i];
            if (uint256(sig.s) > HALF_N || (sig.v != 27 && sig.v != 28)) revert BadSignature(i);
            address signer = ecrecover(signed, sig.v, sig.r, sig.s);
            if (signer == address(0)) revert BadSignature(i);
            if (signer <= last) revert SignersNotAscending(i);
            last = signer;
            uint64 w = weightOf[signer];
            if (w == 0) revert NotAMember(signer);
            weight += w;
        }
        // The chain's threshold is ceil(quorum · total): the same inequality in integers.
        if (weight == 0 || weight * PARTS < uint256(quorum) * totalWeight) {
            revert QuorumNotReached(weight, totalWeight);
        }
        for (uint256 i = 0; i < updates.length; i++) {
            _setWeight(updates[i].operator, updates[i].weight);
        }
        lastId = id;
        rootOf[id] = root;
        recorded[id] = true;
        emit CheckpointRecorded(id, root, weight, updates.length);
    }

    function _setWeight(address operator, uint64 weight) internal {
        uint64 old = weightOf[operator];
        if (old == 0 && weight > 0) memberCount += 1;
        if (old > 0 && weight == 0) memberCount -= 1;
        totalWeight = totalWeight - old + weight;
        weightOf[operator] = weight;
        emit OperatorWeight(operator, weight);
    }

    // --- Proofs --------------------------------------------------------------------------------

    /// Whether `leaf` (a leaf hash) is in recorded checkpoint `id` through `path`.
    function verifyLeaf(uint64 id, bytes32 leaf, CheckpointMerkle.Step[] calldata path)
        public
        view
        returns (bool)
    {
        return recorded[id] && CheckpointMerkle.foldPath(leaf, path) == rootOf[id];
    }

    function resultLeafHash(ResultLeaf calldata r) public pure returns (bytes32) {
        return keccak256(abi.encode(LEAF_RESULT, r.task, r.model, r.output, r.result, r.agreeing, r.assigned));
    }

    function slashLeafHash(SlashLeaf calldata s) public pure returns (bytes32) {
        return keccak256(
            abi.encode(LEAF_SLASH, s.slash, s.operator, s.eth, s.offence, s.amount, s.referenced, s.reference_)
        );
    }

    /// Whether task result `r` is in recorded checkpoint `id`.
    function verifyResult(uint64 id, ResultLeaf calldata r, CheckpointMerkle.Step[] calldata path)
        external
        view
        returns (bool)
    {
        return verifyLeaf(id, resultLeafHash(r), path);
    }

    /// Forwards slash `s`, proven to be in recorded checkpoint `id`, to the AllocationManager:
    /// the operator's allocation to this AVS's operator set is slashed by the offence kind's
    /// share. Anyone may call it; each slash is forwarded once.
    function forwardSlash(uint64 id, SlashLeaf calldata s, CheckpointMerkle.Step[] calldata path)
        external
        returns (uint256 slashId)
    {
        bytes32 leaf = slashLeafHash(s);
        if (!recorded[id]) revert NotRecorded(id);
        if (!verifyLeaf(id, leaf, path)) revert NotIncluded();
        if (forwarded[leaf]) revert AlreadyForwarded();
        uint256 wad = slashWad[s.offence];
        if (wad == 0 || strategies.length == 0) revert NothingToSlash(s.offence);
        if (!allocationManager.isMemberOfOperatorSet(s.eth, OperatorSet(address(this), operatorSetId))) {
            revert NotRegistered(s.eth);
        }
        forwarded[leaf] = true;
        uint256[] memory wads = new uint256[](strategies.length);
        for (uint256 i = 0; i < wads.length; i++) {
            wads[i] = wad;
        }
        (slashId,) = allocationManager.slashOperator(
            address(this),
            IAllocationManager.SlashingParams({
                operator: s.eth,
                operatorSetId: operatorSetId,
                strategies: strategies,
                wadsToSlash: wads,
                description: "AOS slash"
            })
        );
        emit SlashForwarded(id, leaf, s.eth, slashId);
    }

    // --- EigenLayer registration ---------------------------------------------------------------

    /// Called by the AllocationManager when `operator` registers to this AVS's operator set:
    /// only members of the AOS operator set may.
    function registerOperator(address operator, address avs, uint32[] calldata, bytes calldata) external {
        if (msg.sender != address(allocationManager)) revert OnlyAllocationManager();
        if (avs != address(this)) revert WrongAVS();
        if (weightOf[operator] == 0) revert NotAMember(operator);
        emit OperatorRegistered(operator);
    }

    function deregisterOperator(address operator, address avs, uint32[] calldata) external {
        if (msg.sender != address(allocationManager)) revert OnlyAllocationManager();
        if (avs != address(this)) revert WrongAVS();
        emit OperatorDeregistered(operator);
    }

    function supportsAVS(address avs) external view returns (bool) {
        return avs == address(this);
    }

    // --- Owner ---------------------------------------------------------------------------------

    modifier onlyOwner() {
        if (msg.sender != owner) revert OnlyOwner();
        _;
    }

    /// Sets the quorum, in parts per billion, to the chain's (it changes by AOS governance).
    function setQuorum(uint32 quorum_) external onlyOwner {
        if (quorum_ <= PARTS / 2 || quorum_ > PARTS) revert BadQuorum();
        quorum = quorum_;
    }

    /// Sets the strategies slashes take from (ascending, as the AllocationManager wants) and
    /// what each offence kind takes.
    function setSlashing(IStrategy[] calldata strategies_, uint8[] calldata offences, uint256[] calldata wads)
        external
        onlyOwner
    {
        delete strategies;
        for (uint256 i = 0; i < strategies_.length; i++) {
            strategies.push(strategies_[i]);
        }
        for (uint256 i = 0; i < offences.length && i < wads.length; i++) {
            slashWad[offences[i]] = wads[i];
        }
    }

    function transferOwnership(address owner_) external onlyOwner {
        owner = owner_;
    }
}
