using EInvoice.Transmission.Security.Pkcs11.Internal;
using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Pkcs11.Tests;

/// <summary>The key-wrapper contract on SoftHSM2 with CKM_AES_GCM (suite 0x02).</summary>
public sealed class Pkcs11AesGcmContractTests : KeyWrapperContractTests
{
    private Pkcs11KeyWrapper? _wrapper;

    protected override Task<(IReadOnlyList<IKeyWrapper> Custodians, string KeyId)> CreateCustodianAsync()
    {
        SoftHsm.Require();
        _wrapper = (Pkcs11KeyWrapper)SoftHsm.Wrapper(Pkcs11WrapMechanism.AesGcm);
        return Task.FromResult<(IReadOnlyList<IKeyWrapper>, string)>(([_wrapper], SoftHsm.KeyId));
    }

    public override Task DisposeAsync()
    {
        _wrapper?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The key-wrapper contract on SoftHSM2 with CKM_AES_KEY_WRAP_PAD, RFC 5649 (suite 0x03).</summary>
public sealed class Pkcs11AesKeyWrapPadContractTests : KeyWrapperContractTests
{
    private Pkcs11KeyWrapper? _wrapper;

    protected override bool WrapBindsContext => false;

    protected override Task<(IReadOnlyList<IKeyWrapper> Custodians, string KeyId)> CreateCustodianAsync()
    {
        SoftHsm.Require();
        _wrapper = (Pkcs11KeyWrapper)SoftHsm.Wrapper(Pkcs11WrapMechanism.AesKeyWrapPad);
        return Task.FromResult<(IReadOnlyList<IKeyWrapper>, string)>(([_wrapper], SoftHsm.KeyId));
    }

    public override Task DisposeAsync()
    {
        _wrapper?.Dispose();
        return Task.CompletedTask;
    }
}
