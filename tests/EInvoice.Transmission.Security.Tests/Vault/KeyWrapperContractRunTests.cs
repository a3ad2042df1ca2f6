using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Vault;

/// <summary>The key-wrapper contract run on the local key ring as its own custodian.</summary>
public sealed class LocalRingKeyWrapperContractTests : KeyWrapperContractTests
{
    protected override Task<(IReadOnlyList<IKeyWrapper> Custodians, string KeyId)> CreateCustodianAsync()
        => Task.FromResult<(IReadOnlyList<IKeyWrapper>, string)>(([], The.KeyId));
}

/// <summary>The key-wrapper contract run on a custodian outside the ring (suite 0x02, every call awaited).</summary>
public sealed class TestCustodianKeyWrapperContractTests : KeyWrapperContractTests
{
    protected override Task<(IReadOnlyList<IKeyWrapper> Custodians, string KeyId)> CreateCustodianAsync()
    {
        var custodian = new TestCustodian();
        return Task.FromResult<(IReadOnlyList<IKeyWrapper>, string)>(([custodian], custodian.KeyId));
    }
}
