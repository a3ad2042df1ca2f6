using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace EInvoice.Transmission.Security.Pkcs11.Internal;

/// <summary>
/// A key custodian over a PKCS#11 token: the KEK is an AES-256 key object the process never reads; data keys are
/// wrapped by the token with CKM_AES_GCM (suite 0x02) or CKM_AES_KEY_WRAP_PAD (suite 0x03).
/// </summary>
/// <remarks>
/// <para>
/// Sessions are pooled: one anchor session stays open so that the user stays logged in (a PKCS#11 login is per
/// application and token, and ends with the last session), and idle sessions are reused. A session or token that went
/// away (<c>CKR_SESSION_HANDLE_INVALID</c>, <c>CKR_DEVICE_REMOVED</c>, <c>CKR_TOKEN_NOT_PRESENT</c>, …) resets the pool; the
/// call is tried once more on a fresh session and, if that fails too, throws <see cref="KeyCustodianUnavailableException"/>.
/// The next call starts from the token again, so the custodian recovers by itself when the token is back.
/// </para>
/// <para>
/// PKCS#11 is a blocking C interface: a call runs on the caller's thread and completes before the returned task does.
/// Cancellation is checked before each token call.
/// </para>
/// </remarks>
internal sealed class Pkcs11KeyWrapper : IKeyWrapper, IDisposable
{
    public const byte SuiteAesGcm = 0x02;
    public const byte SuiteAesKeyWrapPad = 0x03;

    private const int DataKeySize = 32;
    private const int GcmIvSize = 12;
    private const int GcmTagSize = 16;
    private const int GcmWrappedSize = GcmIvSize + DataKeySize + GcmTagSize;
    private const int KeyWrapPadWrappedSize = 40;

    /// <summary>CKR_AEAD_DECRYPT_FAILED of PKCS#11 3.0, which Pkcs11Interop 5 does not name.</summary>
    private const ulong AeadDecryptFailed = 0x00000035;

    private static readonly Pkcs11InteropFactories Factories = new();

    private readonly Pkcs11KeyCustodyOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ConcurrentBag<(ISession Session, int Generation)> _idle = [];
    private int _generation;
    private IPkcs11Library? _library;
    private TokenState? _state;
    private bool _disposed;

    public Pkcs11KeyWrapper(IOptions<Pkcs11KeyCustodyOptions> options, ILogger<Pkcs11KeyWrapper> logger)
    {
        _options = options.Value;
        _logger = logger;
        KeyId = _options.KeyId!;
    }

    public string KeyId { get; }

    /// <summary>The suite new data keys are wrapped with, known once the token was reached.</summary>
    public byte? Suite => _state?.Suite;

    public bool HoldsKey(string keyId) => string.Equals(keyId, KeyId, StringComparison.Ordinal);

    public ValueTask<WrappedKey> WrapKeyAsync(ReadOnlyMemory<byte> dataKey, KeyWrapContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        CheckContext(context);
        if (dataKey.Length != DataKeySize)
        {
            throw new ArgumentException($"A data key is {DataKeySize} bytes long.", nameof(dataKey));
        }

        var wrapped = Run(
            (session, state) => state.Suite == SuiteAesGcm ? WrapGcm(session, state, dataKey.Span, context) : WrapKeyWrapPad(session, state, dataKey.Span),
            opensGivenBytes: false,
            cancellationToken);
        _logger.Pkcs11KeyOperation(KeyId, "wrapped", wrapped.Suite, context.CompanyId, context.FieldName);
        return ValueTask.FromResult(wrapped);
    }

    public ValueTask UnwrapKeyAsync(WrappedKey wrappedKey, KeyWrapContext context, Memory<byte> dataKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        CheckContext(context);
        if (dataKey.Length != DataKeySize)
        {
            throw new ArgumentException($"A data key is {DataKeySize} bytes long.", nameof(dataKey));
        }

        var value = wrappedKey.Value;
        var suite = wrappedKey.Suite;
        if (!(suite == SuiteAesGcm && value.Length == GcmWrappedSize) && !(suite == SuiteAesKeyWrapPad && value.Length == KeyWrapPadWrappedSize))
        {
            throw new CryptographicException("The wrapped key is not one a PKCS#11 custodian makes.");
        }

        Run<object?>(
            (session, state) =>
            {
                if (suite == SuiteAesGcm)
                {
                    UnwrapGcm(session, state, value.Span, context, dataKey.Span);
                }
                else
                {
                    UnwrapKeyWrapPad(session, state, value.Span, dataKey.Span);
                }

                return null;
            },
            opensGivenBytes: true,
            cancellationToken);
        _logger.Pkcs11KeyOperation(KeyId, "unwrapped", suite, context.CompanyId, context.FieldName);
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            ResetLocked();
            if (_library is not null)
            {
                _library = null;
                Pkcs11Modules.Release(_options.LibraryPath!);
            }
        }
    }

    private static WrappedKey WrapGcm(ISession session, TokenState state, ReadOnlySpan<byte> dataKey, KeyWrapContext context)
    {
        var wrapped = new byte[GcmWrappedSize];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, GcmIvSize));
        var plain = dataKey.ToArray();
        try
        {
            using var parameters = Factories.MechanismParamsFactory.CreateCkGcmParams(wrapped[..GcmIvSize], GcmIvSize * 8, context.GetAssociatedData(SuiteAesGcm), GcmTagSize * 8);
            using var mechanism = Factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
            var encrypted = session.Encrypt(mechanism, state.Key, plain);
            if (encrypted.Length != DataKeySize + GcmTagSize)
            {
                throw new CryptographicException("The token returned an AES-GCM output of an unexpected length.");
            }

            encrypted.CopyTo(wrapped, GcmIvSize);
            return new WrappedKey(SuiteAesGcm, wrapped);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static void UnwrapGcm(ISession session, TokenState state, ReadOnlySpan<byte> wrapped, KeyWrapContext context, Span<byte> dataKey)
    {
        using var parameters = Factories.MechanismParamsFactory.CreateCkGcmParams(wrapped[..GcmIvSize].ToArray(), GcmIvSize * 8, context.GetAssociatedData(SuiteAesGcm), GcmTagSize * 8);
        using var mechanism = Factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
        var plain = session.Decrypt(mechanism, state.Key, wrapped[GcmIvSize..].ToArray());
        try
        {
            if (plain.Length != DataKeySize)
            {
                throw new CryptographicException("The wrapped key did not unwrap to a data key.");
            }

            plain.CopyTo(dataKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static WrappedKey WrapKeyWrapPad(ISession session, TokenState state, ReadOnlySpan<byte> dataKey)
    {
        // C_WrapKey wraps a key object, so the data key becomes a short-lived session object (never a token object).
        var value = dataKey.ToArray();
        IObjectHandle? handle = null;
        try
        {
            handle = session.CreateObject(DataKeyTemplate(value));
            using var mechanism = Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_WRAP_PAD);
            var wrapped = session.WrapKey(mechanism, state.Key, handle);
            return wrapped.Length == KeyWrapPadWrappedSize
                ? new WrappedKey(SuiteAesKeyWrapPad, wrapped)
                : throw new CryptographicException("The token returned an RFC 5649 output of an unexpected length.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(value);
            if (handle is not null)
            {
                session.DestroyObject(handle);
            }
        }
    }

    private static void UnwrapKeyWrapPad(ISession session, TokenState state, ReadOnlySpan<byte> wrapped, Span<byte> dataKey)
    {
        using var mechanism = Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_WRAP_PAD);
        var handle = session.UnwrapKey(mechanism, state.Key, wrapped.ToArray(), DataKeyTemplate(null));
        try
        {
            var value = session.GetAttributeValue(handle, [CKA.CKA_VALUE])[0].GetValueAsByteArray();
            try
            {
                if (value is not { Length: DataKeySize })
                {
                    throw new CryptographicException("The wrapped key did not unwrap to a data key.");
                }

                value.CopyTo(dataKey);
            }
            finally
            {
                if (value is not null)
                {
                    CryptographicOperations.ZeroMemory(value);
                }
            }
        }
        finally
        {
            session.DestroyObject(handle);
        }
    }

    /// <summary>A session object for a data key: readable by this process (it made the key), gone when the session ends.</summary>
    private static List<IObjectAttribute> DataKeyTemplate(byte[]? value)
    {
        var attributes = new List<IObjectAttribute>
        {
            Factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            Factories.ObjectAttributeFactory.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
            Factories.ObjectAttributeFactory.Create(CKA.CKA_TOKEN, false),
            Factories.ObjectAttributeFactory.Create(CKA.CKA_SENSITIVE, false),
            Factories.ObjectAttributeFactory.Create(CKA.CKA_EXTRACTABLE, true),
        };
        if (value is not null)
        {
            attributes.Add(Factories.ObjectAttributeFactory.Create(CKA.CKA_VALUE, value));
        }

        return attributes;
    }

    private static bool IsTransient(CKR rv) => rv is CKR.CKR_SESSION_HANDLE_INVALID or CKR.CKR_SESSION_CLOSED or CKR.CKR_DEVICE_REMOVED
        or CKR.CKR_DEVICE_ERROR or CKR.CKR_TOKEN_NOT_PRESENT or CKR.CKR_TOKEN_NOT_RECOGNIZED or CKR.CKR_USER_NOT_LOGGED_IN
        or CKR.CKR_OBJECT_HANDLE_INVALID or CKR.CKR_KEY_HANDLE_INVALID or CKR.CKR_SLOT_ID_INVALID or CKR.CKR_SESSION_COUNT
        or CKR.CKR_DEVICE_MEMORY or CKR.CKR_CRYPTOKI_NOT_INITIALIZED;

    /// <summary>
    /// The return values that mean "these bytes do not unwrap under this key" (a wrong GCM tag or RFC 5649 check): SoftHSM2 2.6
    /// reports a wrong GCM tag as <c>CKR_FUNCTION_FAILED</c> or <c>CKR_ENCRYPTED_DATA_INVALID</c>, a PKCS#11 3.0 token as
    /// <c>CKR_AEAD_DECRYPT_FAILED</c>. Anything else is a problem of the token, never a verdict on the stored bytes.
    /// </summary>
    private static bool IsNotOurs(CKR rv) => rv is CKR.CKR_ENCRYPTED_DATA_INVALID or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE
        or CKR.CKR_WRAPPED_KEY_INVALID or CKR.CKR_WRAPPED_KEY_LEN_RANGE or CKR.CKR_FUNCTION_FAILED || (ulong)rv == AeadDecryptFailed;

    private void CheckContext(KeyWrapContext context)
    {
        if (!HoldsKey(context.KeyId))
        {
            throw new ArgumentException($"The key '{context.KeyId}' is not the PKCS#11 key '{KeyId}'.", nameof(context));
        }
    }

    /// <summary>Runs one token operation on a pooled session, once more on a fresh one when the session or token went away.</summary>
    /// <remarks>
    /// With <paramref name="opensGivenBytes"/> (an unwrap of bytes read from storage), only the return values of
    /// <see cref="IsNotOurs"/> mean the bytes do not unwrap (<see cref="CryptographicException"/>, the vault's "cannot open");
    /// every other refusal is <see cref="KeyCustodianUnavailableException"/>, so a flaky token never marks a row tampered.
    /// </remarks>
    private T Run<T>(Func<ISession, TokenState, T> operation, bool opensGivenBytes, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TokenState state;
            ISession session;
            try
            {
                state = EnsureState();
                session = Rent(state);
            }
            catch (Pkcs11Exception ex) when (IsTransient(ex.RV))
            {
                Lost(null, ex);
                if (attempt < 2)
                {
                    continue;
                }

                throw Unavailable(ex.RV.ToString(), ex);
            }

            try
            {
                var result = operation(session, state);
                Return(session, state);
                return result;
            }
            catch (Pkcs11Exception ex) when (opensGivenBytes && IsNotOurs(ex.RV))
            {
                Return(session, state);
                throw new CryptographicException("The token refused the wrapped key.", ex);
            }
            catch (Pkcs11Exception ex) when (opensGivenBytes && ex.RV == CKR.CKR_GENERAL_ERROR)
            {
                // SoftHSM2 2.6 reports a wrong GCM tag and a failed RFC 5649 check as CKR_GENERAL_ERROR, which a failing
                // device reports too: the bytes are called "not ours" only if the token still wraps and unwraps a probe.
                Close(session);
                if (ProbeHealthy(state))
                {
                    throw new CryptographicException("The token refused the wrapped key.", ex);
                }

                throw Unavailable(ex.RV.ToString(), ex);
            }
            catch (Pkcs11Exception ex) when (IsTransient(ex.RV))
            {
                Lost(session, ex);
                if (attempt < 2)
                {
                    continue;
                }

                throw Unavailable(ex.RV.ToString(), ex);
            }
            catch (Pkcs11Exception ex)
            {
                // Neither an outage that a fresh session may cure nor a verdict on the bytes: the token cannot do it now. The
                // session is closed, not pooled, since its state after the failure is unknown.
                Close(session);
                throw Unavailable(ex.RV.ToString(), ex);
            }
            catch
            {
                Close(session);
                throw;
            }
        }
    }

    /// <summary>Wraps and unwraps a zero key on a fresh session; false if the token fails at that.</summary>
    private bool ProbeHealthy(TokenState state)
    {
        ISession? session = null;
        var probe = new byte[DataKeySize];
        var back = new byte[DataKeySize];
        try
        {
            session = state.Slot.OpenSession(SessionType.ReadOnly);
            var context = new KeyWrapContext(KeyId, "probe", "probe");
            if (state.Suite == SuiteAesGcm)
            {
                UnwrapGcm(session, state, WrapGcm(session, state, probe, context).Value.Span, context, back);
            }
            else
            {
                UnwrapKeyWrapPad(session, state, WrapKeyWrapPad(session, state, probe).Value.Span, back);
            }

            return back.AsSpan().SequenceEqual(probe);
        }
        catch (Pkcs11Exception)
        {
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            if (session is not null)
            {
                Close(session);
            }
        }
    }

    private KeyCustodianUnavailableException Unavailable(string problem, Exception? cause)
    {
        _logger.Pkcs11TokenUnavailable(_options.TokenLabel!, KeyId, problem);
        return new KeyCustodianUnavailableException(KeyId, $"The PKCS#11 token '{_options.TokenLabel}' holding key '{KeyId}' cannot be used now ({problem}).", cause);
    }

    private void Lost(ISession? session, Pkcs11Exception ex)
    {
        _logger.Pkcs11SessionLost(KeyId, ex.RV.ToString());
        if (session is not null)
        {
            Close(session);
        }

        lock (_gate)
        {
            ResetLocked();
        }
    }

    private ISession Rent(TokenState state)
    {
        while (_idle.TryTake(out var idle))
        {
            if (idle.Generation == state.Generation)
            {
                return idle.Session;
            }

            Close(idle.Session);
        }

        return state.Slot.OpenSession(SessionType.ReadOnly);
    }

    /// <summary>Keeps a session for reuse if it belongs to the current connection and the pool has room.</summary>
    private void Return(ISession session, TokenState state)
    {
        if (ReferenceEquals(_state, state) && _idle.Count < _options.MaxPooledSessions)
        {
            _idle.Add((session, state.Generation));
        }
        else
        {
            Close(session);
        }
    }

    private static void Close(ISession session)
    {
        try
        {
            // Dispose closes the session (C_CloseSession) unless a close already succeeded.
            session.Dispose();
        }
        catch (Pkcs11Exception)
        {
            // Already gone with its token (CKR_SESSION_HANDLE_INVALID, CKR_DEVICE_REMOVED): nothing left to close.
        }
    }

    private TokenState EnsureState()
    {
        if (_state is { } ready)
        {
            return ready;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _state ??= Connect();
        }
    }

    /// <summary>Finds the token and key, logs in on an anchor session, and picks the mechanism. Called under the gate.</summary>
    private TokenState Connect()
    {
        _library ??= LoadLibrary();
        var slot = FindSlot(_library);
        if (slot is null)
        {
            // A module may list tokens only when it is initialised: look once more after initialising it again.
            _library = Pkcs11Modules.Reload(_options.LibraryPath!, _library);
            slot = FindSlot(_library) ?? throw Unavailable($"no token labelled '{_options.TokenLabel}' is present", null);
        }

        var anchor = slot.OpenSession(SessionType.ReadOnly);
        try
        {
            try
            {
                anchor.Login(CKU.CKU_USER, _options.UserPin);
            }
            catch (Pkcs11Exception ex) when (ex.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
            {
                // Another session of this process logged in already: the login is per application and token.
            }
            catch (Pkcs11Exception ex) when (ex.RV is CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_INVALID or CKR.CKR_PIN_LEN_RANGE or CKR.CKR_PIN_LOCKED or CKR.CKR_PIN_EXPIRED)
            {
                throw new InvalidOperationException($"The PKCS#11 token '{_options.TokenLabel}' refused the user PIN ({ex.RV}): check 'EInvoiceTransmission:Pkcs11:UserPin'.", ex);
            }

            // Only token objects of the secret-key class that need a login to be seen; the key type is checked below, so a
            // key of another type under the label is refused rather than passed over.
            var template = new List<IObjectAttribute>
            {
                Factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                Factories.ObjectAttributeFactory.Create(CKA.CKA_TOKEN, true),
                Factories.ObjectAttributeFactory.Create(CKA.CKA_PRIVATE, true),
            };
            if (_options.KeyLabel is { } label)
            {
                template.Add(Factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, label));
            }

            if (_options.KeyObjectId is { } id)
            {
                template.Add(Factories.ObjectAttributeFactory.Create(CKA.CKA_ID, Convert.FromHexString(id)));
            }

            var keys = anchor.FindAllObjects(template);
            var key = keys.Count == 1 ? keys[0]
                : throw new InvalidOperationException(
                    $"The PKCS#11 token '{_options.TokenLabel}' holds {keys.Count} private secret-key token objects matching 'EInvoiceTransmission:Pkcs11:KeyLabel'/'KeyObjectId' ('{_options.KeyLabel}'/'{_options.KeyObjectId}'); exactly one is needed.");

            var suite = ChooseSuite(slot);
            CheckKeyPolicy(anchor, key, suite);
            _logger.Pkcs11KeyFound(KeyId, _options.TokenLabel!, suite == SuiteAesGcm ? "CKM_AES_GCM" : "CKM_AES_KEY_WRAP_PAD");
            return new TokenState(slot, anchor, key, suite, ++_generation);
        }
        catch
        {
            Close(anchor);
            throw;
        }
    }

    private ISlot? FindSlot(IPkcs11Library library)
    {
        var slots = library.GetSlotList(SlotsType.WithTokenPresent)
            .Where(s => string.Equals(s.GetTokenInfo().Label.Trim(), _options.TokenLabel, StringComparison.Ordinal))
            .ToList();
        return slots.Count <= 1 ? slots.FirstOrDefault()
            : throw new InvalidOperationException(
                $"{slots.Count} PKCS#11 tokens carry the label of 'EInvoiceTransmission:Pkcs11:TokenLabel' ('{_options.TokenLabel}'); exactly one is needed.");
    }

    /// <summary>
    /// Refuses a key that is not an AES-256 key kept in the token since it was made (CKA_EXTRACTABLE=false,
    /// CKA_SENSITIVE=true, CKA_NEVER_EXTRACTABLE=true, CKA_ALWAYS_SENSITIVE=true) or that may not do what the mechanism needs.
    /// </summary>
    private void CheckKeyPolicy(ISession session, IObjectHandle key, byte suite)
    {
        var (use, unuse) = suite == SuiteAesGcm ? (CKA.CKA_ENCRYPT, CKA.CKA_DECRYPT) : (CKA.CKA_WRAP, CKA.CKA_UNWRAP);
        var a = session.GetAttributeValue(key,
            [CKA.CKA_KEY_TYPE, CKA.CKA_VALUE_LEN, CKA.CKA_EXTRACTABLE, CKA.CKA_SENSITIVE, CKA.CKA_NEVER_EXTRACTABLE, CKA.CKA_ALWAYS_SENSITIVE, use, unuse, CKA.CKA_LOCAL]);
        var problems = new List<string>();
        if (a[0].CannotBeRead || a[0].GetValueAsUlong() != (ulong)CKK.CKK_AES)
        {
            problems.Add("CKA_KEY_TYPE is not CKK_AES");
        }

        if (a[1].CannotBeRead || a[1].GetValueAsUlong() != DataKeySize)
        {
            problems.Add($"CKA_VALUE_LEN is not {DataKeySize} (AES-256)");
        }

        Require(a[2], false, "CKA_EXTRACTABLE");
        Require(a[3], true, "CKA_SENSITIVE");
        var imported = !a[8].CannotBeRead && !a[8].GetValueAsBool();
        if (!(imported && _options.AllowImportedKey))
        {
            Require(a[4], true, "CKA_NEVER_EXTRACTABLE");
            Require(a[5], true, "CKA_ALWAYS_SENSITIVE");
        }

        Require(a[6], true, use.ToString());
        Require(a[7], true, unuse.ToString());
        if (problems.Count > 0)
        {
            _logger.Pkcs11KeyRefused(KeyId, _options.TokenLabel!, string.Join(", ", problems));
            throw new InvalidOperationException(
                $"The PKCS#11 key of 'EInvoiceTransmission:Pkcs11:KeyLabel'/'KeyObjectId' ('{_options.KeyLabel}'/'{_options.KeyObjectId}') on token '{_options.TokenLabel}' is refused: {string.Join(", ", problems)}. "
                + "Generate a non-extractable, sensitive AES-256 key on the token with the usage flags of 'EInvoiceTransmission:Pkcs11:Mechanism'.");
        }

        void Require(IObjectAttribute attribute, bool expected, string name)
        {
            if (attribute.CannotBeRead || attribute.GetValueAsBool() != expected)
            {
                problems.Add($"{name} is not {(expected ? "true" : "false")}");
            }
        }
    }

    private byte ChooseSuite(ISlot slot)
    {
        var mechanisms = slot.GetMechanismList();
        var gcm = mechanisms.Contains(CKM.CKM_AES_GCM);
        var keyWrapPad = mechanisms.Contains(CKM.CKM_AES_KEY_WRAP_PAD);
        return _options.Mechanism switch
        {
            Pkcs11WrapMechanism.AesGcm when gcm => SuiteAesGcm,
            Pkcs11WrapMechanism.AesKeyWrapPad when keyWrapPad => SuiteAesKeyWrapPad,
            Pkcs11WrapMechanism.Auto when gcm => SuiteAesGcm,
            Pkcs11WrapMechanism.Auto when keyWrapPad => SuiteAesKeyWrapPad,
            _ => throw new InvalidOperationException(
                $"The PKCS#11 token '{_options.TokenLabel}' does not offer the mechanism 'EInvoiceTransmission:Pkcs11:Mechanism' asks for ({_options.Mechanism}); it lists CKM_AES_GCM: {gcm}, CKM_AES_KEY_WRAP_PAD: {keyWrapPad}."),
        };
    }

    private IPkcs11Library LoadLibrary()
    {
        try
        {
            return Pkcs11Modules.Acquire(_options.LibraryPath!);
        }
        catch (Exception ex) when (ex is not Pkcs11Exception)
        {
            throw new InvalidOperationException($"The PKCS#11 module of 'EInvoiceTransmission:Pkcs11:LibraryPath' ('{_options.LibraryPath}') cannot be loaded: {ex.Message}", ex);
        }
    }

    /// <summary>Forgets the token: closes idle sessions and the anchor. Called under the gate.</summary>
    private void ResetLocked()
    {
        while (_idle.TryTake(out var idle))
        {
            Close(idle.Session);
        }

        if (_state is { } state)
        {
            _state = null;
            Close(state.Anchor);
        }
    }

    /// <summary>What one connection to the token found.</summary>
    private sealed class TokenState(ISlot slot, ISession anchor, IObjectHandle key, byte suite, int generation)
    {
        public int Generation { get; } = generation;

        public ISlot Slot { get; } = slot;

        public ISession Anchor { get; } = anchor;

        public IObjectHandle Key { get; } = key;

        public byte Suite { get; } = suite;
    }
}
