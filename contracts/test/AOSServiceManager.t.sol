// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {AOSServiceManager} from "../src/AOSServiceManager.sol";
import {CheckpointMerkle} from "../src/CheckpointMerkle.sol";
import {IAllocationManager, IStrategy} from "../src/interfaces/IEigenLayerCore.sol";
import {AllocationManagerStandIn} from "../src/standins/AllocationManagerStandIn.sol";

/// The few forge cheatcodes these tests use (the npm forge-std is too old to build here).
interface Vm {
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function addr(uint256 privateKey) external pure returns (address);
    function expectRevert(bytes calldata revertData) external;
    function expectRevert(bytes4 selector) external;
    function expectRevert() external;
    function prank(address sender) external;
}

contract AOSServiceManagerTest {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    /// Logged by forge with `-vv`: the gas figures of `testGasPerCheckpoint`.
    event log_named_uint(string key, uint256 val);

    bytes32 internal constant CHAIN = bytes32(uint256(0xa05));
    uint32 internal constant TWO_THIRDS = 666_666_667;

    AllocationManagerStandIn internal core;
    AOSServiceManager internal avs;
    uint256[] internal keys;

    function check(bool ok, string memory what) internal pure {
        require(ok, what);
    }

    /// Members with keys 1..n (weights `weights`), sorted by address.
    function deploy(uint64[] memory weights) internal {
        core = new AllocationManagerStandIn();
        delete keys;
        for (uint256 i = 0; i < weights.length; i++) keys.push(i + 1);
        AOSServiceManager.Update[] memory set = new AOSServiceManager.Update[](weights.length);
        for (uint256 i = 0; i < weights.length; i++) {
            set[i] = AOSServiceManager.Update(vm.addr(keys[i]), weights[i]);
        }
        avs = new AOSServiceManager(CHAIN, IAllocationManager(address(core)), 0, TWO_THIRDS, bytes32(0), set);
    }

    function three() internal {
        uint64[] memory w = new uint64[](3);
        (w[0], w[1], w[2]) = (10, 10, 20);
        deploy(w);
    }

    function sigOf(uint256 key, bytes32 d) internal pure returns (AOSServiceManager.Signature memory) {
        bytes32 h = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", d));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, h);
        return AOSServiceManager.Signature(r, s, v);
    }

    /// Signatures of `d` by the keys at `idx`, in ascending order of address.
    function sign(uint256[] memory idx, bytes32 d) internal view returns (AOSServiceManager.Signature[] memory sigs) {
        uint256[] memory ks = new uint256[](idx.length);
        for (uint256 i = 0; i < idx.length; i++) ks[i] = keys[idx[i]];
        for (uint256 i = 1; i < ks.length; i++) {
            for (uint256 j = i; j > 0 && vm.addr(ks[j - 1]) > vm.addr(ks[j]); j--) {
                (ks[j - 1], ks[j]) = (ks[j], ks[j - 1]);
            }
        }
        sigs = new AOSServiceManager.Signature[](ks.length);
        for (uint256 i = 0; i < ks.length; i++) sigs[i] = sigOf(ks[i], d);
    }

    function pick(uint256 a, uint256 b) internal pure returns (uint256[] memory idx) {
        idx = new uint256[](2);
        (idx[0], idx[1]) = (a, b);
    }

    function noUpdates() internal pure returns (AOSServiceManager.Update[] memory) {
        return new AOSServiceManager.Update[](0);
    }

    // --- Shared with Rust -------------------------------------------------------------------------

    function vectorUpdates() internal pure returns (AOSServiceManager.Update[] memory u) {
        u = new AOSServiceManager.Update[](2);
        u[0] = AOSServiceManager.Update(address(0x0a), 7);
        u[1] = AOSServiceManager.Update(address(0x0b), 0);
    }

    function vectorSlash() internal pure returns (AOSServiceManager.SlashLeaf memory) {
        return AOSServiceManager.SlashLeaf(9, bytes32(uint256(0x5555555555555555555555555555555555555555555555555555555555555555)), address(0x0c), 5, 1000, true, 42);
    }

    /// `aos-checkpoint-primitives`' shared vector (`shared_vector::the_vector_the_contract_checks`):
    /// the same leaf hashes, updates hash, path and digest.
    function testTheRustVectorVerifies() public {
        check(keccak256(abi.encode(vectorUpdates())) == VECTOR_UPDATES, "updates hash");
        avs = new AOSServiceManager(
            bytes32(uint256(0x1111111111111111111111111111111111111111111111111111111111111111)),
            IAllocationManager(address(0)),
            0,
            TWO_THIRDS,
            VECTOR_ROOT,
            new AOSServiceManager.Update[](0)
        );
        check(avs.slashLeafHash(vectorSlash()) == VECTOR_SLASH_LEAF, "slash leaf");
        AOSServiceManager.ResultLeaf memory r = AOSServiceManager.ResultLeaf(
            42,
            bytes32(uint256(0x2222222222222222222222222222222222222222222222222222222222222222)),
            bytes32(uint256(0x3333333333333333333333333333333333333333333333333333333333333333)),
            bytes32(uint256(0x4444444444444444444444444444444444444444444444444444444444444444)),
            2,
            3
        );
        check(this.resultHash(r) == VECTOR_RESULT_LEAF, "result leaf");
        check(avs.digest(5, 3, VECTOR_ROOT, vectorUpdates()) == VECTOR_DIGEST, "digest");
        check(avs.verifyLeaf(0, VECTOR_SLASH_LEAF, vectorPath()), "the slash's path reaches the root");
        check(!avs.verifyLeaf(0, VECTOR_RESULT_LEAF, vectorPath()), "another leaf does not");
    }

    function resultHash(AOSServiceManager.ResultLeaf calldata r) external view returns (bytes32) {
        return avs.resultLeafHash(r);
    }

    function vectorPath() internal pure returns (CheckpointMerkle.Step[] memory path) {
        path = new CheckpointMerkle.Step[](2);
        bytes32[] memory a = new bytes32[](1);
        a[0] = VECTOR_STEP0;
        bytes32[] memory b = new bytes32[](1);
        b[0] = VECTOR_STEP1;
        path[0] = CheckpointMerkle.Step(a, 2, 0);
        path[1] = CheckpointMerkle.Step(b, 2, 1);
    }

    // --- Quorum -----------------------------------------------------------------------------------

    function testAQuorumRecordsTheCheckpointAndAppliesItsUpdates() public {
        three();
        AOSServiceManager.Update[] memory u = new AOSServiceManager.Update[](2);
        u[0] = AOSServiceManager.Update(vm.addr(1), 0);
        u[1] = AOSServiceManager.Update(address(0xbeef), 5);
        bytes32 root = keccak256("root 1");
        bytes32 d = avs.digest(1, 0, root, u);
        // 10 + 20 of 40 is at least two thirds.
        avs.submitCheckpoint(1, 0, root, u, sign(pick(0, 2), d));
        check(avs.lastId() == 1 && avs.rootOf(1) == root && avs.recorded(1), "recorded");
        check(avs.weightOf(vm.addr(1)) == 0 && avs.weightOf(address(0xbeef)) == 5, "updates applied");
        check(avs.totalWeight() == 35 && avs.memberCount() == 3, "totals");
        // The next one is checked against the new set: key 1 no longer counts.
        bytes32 d2 = avs.digest(3, 1, root, noUpdates());
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.NotAMember.selector, vm.addr(1)));
        avs.submitCheckpoint(3, 1, root, noUpdates(), sign(pick(0, 2), d2));
    }

    function testACheckpointShortOfQuorumIsRejected() public {
        three();
        bytes32 root = keccak256("root");
        bytes32 d = avs.digest(1, 0, root, noUpdates());
        // 10 + 10 of 40.
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.QuorumNotReached.selector, 20, 40));
        avs.submitCheckpoint(1, 0, root, noUpdates(), sign(pick(0, 1), d));
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.QuorumNotReached.selector, 0, 40));
        avs.submitCheckpoint(1, 0, root, noUpdates(), new AOSServiceManager.Signature[](0));
    }

    function testAForgedSignatureIsRejected() public {
        three();
        bytes32 root = keccak256("root");
        bytes32 d = avs.digest(1, 0, root, noUpdates());
        // An outsider's key.
        AOSServiceManager.Signature[] memory sigs = new AOSServiceManager.Signature[](1);
        sigs[0] = sigOf(99, d);
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.NotAMember.selector, vm.addr(99)));
        avs.submitCheckpoint(1, 0, root, noUpdates(), sigs);
        // A member's signature of another root: it recovers to someone else.
        AOSServiceManager.Signature[] memory other = sign(pick(0, 2), avs.digest(1, 0, keccak256("other"), noUpdates()));
        vm.expectRevert();
        avs.submitCheckpoint(1, 0, root, noUpdates(), other);
        // A garbled `v`.
        AOSServiceManager.Signature[] memory garbled = sign(pick(0, 2), d);
        garbled[0].v = 29;
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.BadSignature.selector, 0));
        avs.submitCheckpoint(1, 0, root, noUpdates(), garbled);
        // The high-s twin of a valid signature.
        AOSServiceManager.Signature[] memory twin = sign(pick(0, 2), d);
        uint256 n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
        twin[1].s = bytes32(n - uint256(twin[1].s));
        twin[1].v = twin[1].v == 27 ? 28 : 27;
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.BadSignature.selector, 1));
        avs.submitCheckpoint(1, 0, root, noUpdates(), twin);
    }

    function testARepeatedSignatureIsRejected() public {
        three();
        bytes32 root = keccak256("root");
        bytes32 d = avs.digest(1, 0, root, noUpdates());
        // Key 3 (weight 20) twice would make 40.
        AOSServiceManager.Signature[] memory sigs = new AOSServiceManager.Signature[](2);
        sigs[0] = sigOf(keys[2], d);
        sigs[1] = sigOf(keys[2], d);
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.SignersNotAscending.selector, 1));
        avs.submitCheckpoint(1, 0, root, noUpdates(), sigs);
    }

    function testCheckpointsOutOfOrderAreRejected() public {
        three();
        bytes32 root = keccak256("root");
        AOSServiceManager.Signature[] memory s20 = sign(pick(0, 2), avs.digest(2, 0, root, noUpdates()));
        AOSServiceManager.Signature[] memory s10 = sign(pick(0, 2), avs.digest(1, 0, root, noUpdates()));
        AOSServiceManager.Signature[] memory s43 = sign(pick(0, 2), avs.digest(4, 3, root, noUpdates()));
        AOSServiceManager.Signature[] memory s32 = sign(pick(0, 2), avs.digest(3, 2, root, noUpdates()));
        avs.submitCheckpoint(2, 0, root, noUpdates(), s20);
        // Again, or an older one.
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.OutOfOrder.selector, 2, 2, 0));
        avs.submitCheckpoint(2, 0, root, noUpdates(), s20);
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.OutOfOrder.selector, 2, 1, 0));
        avs.submitCheckpoint(1, 0, root, noUpdates(), s10);
        // One that skips a recorded predecessor.
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.OutOfOrder.selector, 2, 4, 3));
        avs.submitCheckpoint(4, 3, root, noUpdates(), s43);
        // The next in order.
        avs.submitCheckpoint(3, 2, root, noUpdates(), s32);
        check(avs.lastId() == 3, "in order");
    }

    // --- Proofs and slashes -----------------------------------------------------------------------

    function testAProvenSlashIsForwardedOnce() public {
        three();
        AOSServiceManager.SlashLeaf memory s = AOSServiceManager.SlashLeaf(1, bytes32(0), vm.addr(1), 1, 500, true, 7);
        bytes32 leaf = avs.slashLeafHash(s);
        bytes32 sibling = keccak256("another leaf");
        bytes32 root = keccak256(abi.encodePacked(leaf, sibling));
        avs.submitCheckpoint(1, 0, root, noUpdates(), sign(pick(0, 2), avs.digest(1, 0, root, noUpdates())));
        CheckpointMerkle.Step[] memory path = new CheckpointMerkle.Step[](1);
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = sibling;
        path[0] = CheckpointMerkle.Step(proof, 2, 0);
        check(avs.verifyLeaf(1, leaf, path), "included");
        // Nothing configured to take: refused.
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.NothingToSlash.selector, 1));
        avs.forwardSlash(1, s, path);
        IStrategy[] memory strategies = new IStrategy[](1);
        strategies[0] = IStrategy(address(0x5757));
        uint8[] memory offences = new uint8[](1);
        offences[0] = 1;
        uint256[] memory wads = new uint256[](1);
        wads[0] = 1e17;
        avs.setSlashing(strategies, offences, wads);
        // Not registered with EigenLayer: nothing there to slash.
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.NotRegistered.selector, vm.addr(1)));
        avs.forwardSlash(1, s, path);
        vm.prank(vm.addr(1));
        core.registerForOperatorSet(address(avs), 0, "");
        avs.forwardSlash(1, s, path);
        check(core.slashCount() == 1, "slashed once");
        vm.expectRevert(AOSServiceManager.AlreadyForwarded.selector);
        avs.forwardSlash(1, s, path);
        // A slash not in the checkpoint.
        AOSServiceManager.SlashLeaf memory other = AOSServiceManager.SlashLeaf(2, bytes32(0), vm.addr(1), 1, 500, true, 7);
        vm.expectRevert(AOSServiceManager.NotIncluded.selector);
        avs.forwardSlash(1, other, path);
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.NotRecorded.selector, 9));
        avs.forwardSlash(9, s, path);
    }

    function testOnlyAOSOperatorsRegisterAndOnlyThroughTheCore() public {
        three();
        vm.prank(address(0xdead));
        vm.expectRevert(abi.encodeWithSelector(AOSServiceManager.NotAMember.selector, address(0xdead)));
        core.registerForOperatorSet(address(avs), 0, "");
        uint32[] memory ids = new uint32[](1);
        vm.expectRevert(AOSServiceManager.OnlyAllocationManager.selector);
        avs.registerOperator(vm.addr(1), address(avs), ids, "");
    }

    // --- Gas ----------------------------------------------------------------------------------------

    /// Gas of `submitCheckpoint` with every one of n members of equal weight signing, and no
    /// updates (`forge test --match-test Gas -vv` prints the figures).
    function testGasPerCheckpoint() public {
        uint256[5] memory sizes = [uint256(1), 10, 25, 50, 100];
        for (uint256 k = 0; k < sizes.length; k++) {
            uint256 n = sizes[k];
            uint64[] memory w = new uint64[](n);
            uint256[] memory all = new uint256[](n);
            for (uint256 i = 0; i < n; i++) (w[i], all[i]) = (1, i);
            deploy(w);
            bytes32 root = keccak256("root");
            AOSServiceManager.Signature[] memory sigs = sign(all, avs.digest(1, 0, root, noUpdates()));
            uint256 before = gasleft();
            avs.submitCheckpoint(1, 0, root, noUpdates(), sigs);
            uint256 used = before - gasleft();
            emit log_named_uint(string(abi.encodePacked("signers ", _str(n))), used);
            check(avs.lastId() == 1, "recorded");
        }
    }

    function _str(uint256 v) internal pure returns (string memory) {
        if (v == 0) return "0";
        bytes memory b;
        while (v > 0) {
            b = abi.encodePacked(bytes1(uint8(48 + v % 10)), b);
            v /= 10;
        }
        return string(b);
    }

    // --- Filled from Rust's shared vector ---------------------------------------------------------
    bytes32 internal constant VECTOR_UPDATES = 0xa423934db20d13f622a1779e8243f67b6d8f46dc3fce1cffecbfc45c71d423bf;
    bytes32 internal constant VECTOR_SLASH_LEAF = 0x8a4a7fd079dcfd7e2c3970bde272f33931a048dde8fd4bc1d3e44bd83c70d492;
    bytes32 internal constant VECTOR_RESULT_LEAF = 0x15ea10bc6ba6732e7553380da14cba73f7555560ae8c0a288cf4e571b99dce2d;
    bytes32 internal constant VECTOR_ROOT = 0x903bdabe8eecd118fe18cb9fb26c612e17d6219483b9064bc0d6bbdd223f5d1d;
    bytes32 internal constant VECTOR_DIGEST = 0x2239227ef4e961f34e957f5679e232646a9bba57785e7d40891a7229f9a425ec;
    bytes32 internal constant VECTOR_STEP0 = 0xd52d7adb280f212552bb190d98cfbf6b01213ef0f566e75ef22bb48f468731b0;
    bytes32 internal constant VECTOR_STEP1 = 0x0056d8237aec8d9e0139eab8a96f1974c3a5f822fa75a5ea7ab79b68cc91c945;
}
