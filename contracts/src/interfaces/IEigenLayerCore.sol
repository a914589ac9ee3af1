// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// The parts of EigenLayer's core (v1.x slashing release) the AOS AVS calls or is called by.
/// Declared here, with EigenLayer's function signatures, because its core contracts are not
/// available as packages: the AVS compiles against these and works with the deployed core.

/// A strategy (an asset restakers deposit); only its address is used here.
interface IStrategy {}

/// An AVS's operator set: its address and an id.
struct OperatorSet {
    address avs;
    uint32 id;
}

/// `IAllocationManager`: operator sets, and the slashing of operators registered to them.
interface IAllocationManager {
    /// What `slashOperator` takes: the operator, its operator set, the strategies to slash (in
    /// ascending order) and the share of each (in 1e18), and why.
    struct SlashingParams {
        address operator;
        uint32 operatorSetId;
        IStrategy[] strategies;
        uint256[] wadsToSlash;
        string description;
    }

    /// Slashes `params.operator`'s allocation to `avs`'s operator set; callable by the set's
    /// slasher (the AVS by default).
    function slashOperator(address avs, SlashingParams calldata params)
        external
        returns (uint256 slashId, uint256[] memory shares);

    /// Whether `operator` is registered to `operatorSet`.
    function isMemberOfOperatorSet(address operator, OperatorSet memory operatorSet)
        external
        view
        returns (bool);
}

/// `IAVSRegistrar`: called by the AllocationManager when operators register to, or
/// deregister from, the AVS's operator sets.
interface IAVSRegistrar {
    function registerOperator(
        address operator,
        address avs,
        uint32[] calldata operatorSetIds,
        bytes calldata data
    ) external;

    function deregisterOperator(address operator, address avs, uint32[] calldata operatorSetIds)
        external;

    function supportsAVS(address avs) external view returns (bool);
}
