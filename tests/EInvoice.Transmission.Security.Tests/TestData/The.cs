namespace EInvoice.Transmission.Security.Tests.TestData;

/// <summary>Canonical test values (Duende's idea): one place for the keys, ids and instants the tests share.</summary>
public static class The
{
    public const string KeyId = "kek-2026-01";
    public const string Key = "gDtg+ukqKBtVRlNfUj2sP0kSb1Dj4wMajFM9fmz8DBE=";

    public const string NewKeyId = "kek-2026-11";
    public const string NewKey = "otB95XQZWahwQFz1/nLmTkLlw4jtmXgaDhJNBZLlXHA=";

    public const string OtherKeyId = "kek-other";
    public const string OtherKey = "mHMOAfzNrW7WS2FyCgzlpdBbjEEgceU1lfTJo5m3o20=";

    public const string CompanyId = "AE-100234567800003";
    public const string OtherCompanyId = "AE-100987654300003";

    public const string ClientSecretField = "dctce.client_secret";
    public const string ApiKeyField = "asp.api_key";

    public static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 30, 0, TimeSpan.Zero);
}
