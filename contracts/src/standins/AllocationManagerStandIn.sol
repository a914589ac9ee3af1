// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IAllocationManager, IAVSRegistrar, IStrategy, OperatorSet} from "../interfaces/IEigenLayerCore.sol";

/// A stand-in for EigenLayer's AllocationManager on local networks and in tests: operators
/// register to an AVS's operator set (the AVS's registrar is called, as the real one does),
/// and the AVS slashes them; slashes are recorded, not applied to any stake. Not for
/// production: EigenLayer's deployed core takes its place.
contract AllocationManagerStandIn is IAllocationManager {
    struct Slash {
        address avs;
        address operator;
        uint32 operatorSetId;
        uint256 wad;
        string description;
    }

    mapping(bytes32 => bool) internal member;
    Slash[] public slashes;

    error NotMember();
    error NotAVS();

    function _key(address operator, address avs, uint32 id) internal pure returns (bytes32) {
        return keccak256(abi.encode(operator, avs, id));
    }

    /// `msg.sender` registers to `avs`'s operator set `id`.
    function registerForOperatorSet(address avs, uint32 id, bytes calldata data) external {
        uint32[] memory ids = new uint32[](1);
        ids[0] = id;
        IAVSRegistrar(avs).registerOperator(msg.sender, avs, ids, data);
        member[_key(msg.sender, avs, id)] = true;
    }

    /// `msg.sender` leaves `avs`'s operator set `id`.
    function deregisterFromOperatorSet(address avs, uint32 id) external {
        uint32[] memory ids = new uint32[](1);
        ids[0] = id;
        IAVSRegistrar(avs).deregisterOperator(msg.sender, avs, ids);
        member[_key(msg.sender, avs, id)] = false;
    }

    function isMemberOfOperatorSet(address operator, OperatorSet memory operatorSet) external view returns (bool) {
        return member[_key(operator, operatorSet.avs, operatorSet.id)];
    }

    function slashOperator(address avs, SlashingParams calldata params)
        external
        returns (uint256 slashId, uint256[] memory shares)
    {
        if (msg.sender != avs) revert NotAVS();
        if (!member[_key(params.operator, avs, params.operatorSetId)]) revert NotMember();
        slashes.push(
            Slash(avs, params.operator, params.operatorSetId, params.wadsToSlash.length > 0 ? params.wadsToSlash[0] : 0, params.description)
        );
        slashId = slashes.length;
        shares = new uint256[](params.strategies.length);
    }

    function slashCount() external view returns (uint256) {
        return slashes.length;
    }
}
