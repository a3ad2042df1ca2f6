using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Every log message of this assembly. Ids: vault 1000-1099, OAuth 1100-1199, DI and configuration 1200-1299,
/// credentials and audit 1300-1399, lifecycle 1500-1549. Ids are never reused. No message ever carries a secret, a token, key material
/// or an Authorization header.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, EventName = "KeyRingLoaded", Level = LogLevel.Information,
        Message = "Loaded the key-encryption key ring: active key {KeyId}, {KeyCount} keys in all.")]
    public static partial void KeyRingLoaded(this ILogger logger, string keyId, int keyCount);

    [LoggerMessage(EventId = 1100, EventName = "TokenAcquired", Level = LogLevel.Debug,
        Message = "Acquired an access token for company {CompanyId} with the {Grant} grant; it expires at {ExpiresAt:O}.")]
    public static partial void TokenAcquired(this ILogger logger, string companyId, string grant, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1101, EventName = "TokenFingerprint", Level = LogLevel.Trace,
        Message = "The new access token of company {CompanyId} has fingerprint {Fingerprint} (first 8 hex digits of its SHA-256).")]
    public static partial void TokenFingerprint(this ILogger logger, string companyId, string fingerprint);

    [LoggerMessage(EventId = 1102, EventName = "TokenRequestFailed", Level = LogLevel.Warning,
        Message = "No access token for company {CompanyId}: {Error}, HTTP status {StatusCode}, transient {IsTransient}; next attempt not before {RetryAt:O}.")]
    public static partial void TokenRequestFailed(this ILogger logger, string companyId, string? error, int? statusCode, bool isTransient, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 1103, EventName = "PersistedTokenReused", Level = LogLevel.Debug,
        Message = "Reused the stored access token of company {CompanyId}, valid until {ExpiresAt:O}, without a token request.")]
    public static partial void PersistedTokenReused(this ILogger logger, string companyId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1104, EventName = "RefreshTokenRejected", Level = LogLevel.Information,
        Message = "The refresh token of company {CompanyId} was not accepted ({Error}); requesting a token with the client credentials.")]
    public static partial void RefreshTokenRejected(this ILogger logger, string companyId, string? error);

    [LoggerMessage(EventId = 1105, EventName = "TokenNotPersisted", Level = LogLevel.Warning,
        Message = "Could not update the stored tokens or lease of company {CompanyId} ({ExceptionType}); the token is used from memory only.")]
    public static partial void TokenNotPersisted(this ILogger logger, string companyId, string exceptionType);

    [LoggerMessage(EventId = 1106, EventName = "CredentialsChangedTokenDropped", Level = LogLevel.Debug,
        Message = "The credentials of company {CompanyId} changed; its cached token is dropped.")]
    public static partial void CredentialsChangedTokenDropped(this ILogger logger, string companyId);

    [LoggerMessage(EventId = 1107, EventName = "UnauthorizedRetry", Level = LogLevel.Information,
        Message = "The API rejected the access token of company {CompanyId} with 401; resending once with a new token.")]
    public static partial void UnauthorizedRetry(this ILogger logger, string companyId);

    [LoggerMessage(EventId = 1108, EventName = "ConnectionTested", Level = LogLevel.Information,
        Message = "Connection test for company {CompanyId}: succeeded {Succeeded}.")]
    public static partial void ConnectionTested(this ILogger logger, string companyId, bool succeeded);

    [LoggerMessage(EventId = 1109, EventName = "CredentialChangesNotRead", Level = LogLevel.Warning,
        Message = "Could not read which credentials changed in storage ({ExceptionType}); asking again in {RetryIn}.")]
    public static partial void CredentialChangesNotRead(this ILogger logger, string exceptionType, TimeSpan retryIn);

    [LoggerMessage(EventId = 1115, EventName = "AuditTrailNotContinued", Level = LogLevel.Warning,
        Message = "The audit trail is not the one credential changes were read from (restored from a backup, or changed in storage): the credentials of all {CachedCompanies} cached companies are read again.")]
    public static partial void AuditTrailNotContinued(this ILogger logger, int cachedCompanies);

    [LoggerMessage(EventId = 1110, EventName = "HttpRequestStarting", Level = LogLevel.Information,
        Message = "Sending HTTP request {HttpMethod} {Uri}.")]
    public static partial void HttpRequestStarting(this ILogger logger, HttpMethod httpMethod, string uri);

    [LoggerMessage(EventId = 1111, EventName = "HttpRequestHeaders", Level = LogLevel.Trace,
        Message = "Request headers (credential values masked): {Headers}")]
    public static partial void HttpRequestHeaders(this ILogger logger, string headers);

    [LoggerMessage(EventId = 1112, EventName = "HttpResponseReceived", Level = LogLevel.Information,
        Message = "Received HTTP response {StatusCode} after {ElapsedMilliseconds} ms.")]
    public static partial void HttpResponseReceived(this ILogger logger, int statusCode, double elapsedMilliseconds);

    [LoggerMessage(EventId = 1113, EventName = "HttpRequestFailed", Level = LogLevel.Information,
        Message = "HTTP request {HttpMethod} {Uri} failed after {ElapsedMilliseconds} ms.")]
    public static partial void HttpRequestFailed(this ILogger logger, HttpMethod httpMethod, string uri, double elapsedMilliseconds, Exception exception);

    [LoggerMessage(EventId = 1114, EventName = "UnauthorizedSameTokenResent", Level = LogLevel.Warning,
        Message = "The API rejected the access token of company {CompanyId} with 401, and the identity provider issued the same token again; resending once with it.")]
    public static partial void UnauthorizedSameTokenResent(this ILogger logger, string companyId);

    [LoggerMessage(EventId = 1300, EventName = "CredentialsChanged", Level = LogLevel.Information,
        Message = "Credentials of company {CompanyId}: {Action} by {Actor}; fields {Fields}.")]
    public static partial void CredentialsChanged(this ILogger logger, string companyId, AuditAction action, string actor, IReadOnlyList<string> fields);

    [LoggerMessage(EventId = 1301, EventName = "CredentialChangeRefused", Level = LogLevel.Warning,
        Message = "Security: refused {Action} of the credentials of company {CompanyId} by {Actor}: {Reason}.")]
    public static partial void CredentialChangeRefused(this ILogger logger, string companyId, string actor, AuditAction action, CredentialChangeRefusalReason reason);

    [LoggerMessage(EventId = 1302, EventName = "CredentialWriteConflict", Level = LogLevel.Debug,
        Message = "The credentials of company {CompanyId} changed while being written (attempt {Attempt}); reading them again.")]
    public static partial void CredentialWriteConflict(this ILogger logger, string companyId, int attempt);

    [LoggerMessage(EventId = 1303, EventName = "KeyRotationProgress", Level = LogLevel.Information,
        Message = "Key rotation to key {KeyId}: {Scanned} credentials read, {Rewrapped} moved.")]
    public static partial void KeyRotationProgress(this ILogger logger, long scanned, long rewrapped, string keyId);

    [LoggerMessage(EventId = 1304, EventName = "KeyRotationCompleted", Level = LogLevel.Information,
        Message = "Key rotation to key {KeyId} completed: {Scanned} credentials read, {Rewrapped} moved, {Failed} could not be opened.")]
    public static partial void KeyRotationCompleted(this ILogger logger, long scanned, long rewrapped, int failed, string keyId);

    [LoggerMessage(EventId = 1305, EventName = "KeyRotationFailedForCompany", Level = LogLevel.Error,
        Message = "Key rotation could not move the credentials of company {CompanyId} to key {KeyId}; they were left as they were.")]
    public static partial void KeyRotationFailedForCompany(this ILogger logger, string companyId, string keyId, Exception exception);

    [LoggerMessage(EventId = 1306, EventName = "AuditChainBroken", Level = LogLevel.Error,
        Message = "Security: the audit trail is broken at entry {Sequence}: {Problem}.")]
    public static partial void AuditChainBroken(this ILogger logger, long sequence, string problem);

    [LoggerMessage(EventId = 1307, EventName = "EnvelopeCannotBeOpened", Level = LogLevel.Error,
        Message = "The stored {Field} of company {CompanyId} cannot be opened: its key is not in the ring, or the value was modified or copied from another company.")]
    public static partial void EnvelopeCannotBeOpened(this ILogger logger, string companyId, string field, Exception exception);

    [LoggerMessage(EventId = 1308, EventName = "CredentialsDeleted", Level = LogLevel.Information,
        Message = "Credentials of company {CompanyId} deleted by {Actor}.")]
    public static partial void CredentialsDeleted(this ILogger logger, string companyId, string actor);

    [LoggerMessage(EventId = 1309, EventName = "DestinationNotSealed", Level = LogLevel.Error,
        Message = "Security: the stored destination of company {CompanyId} is not the one sealed with it ({Fields}): it was changed outside CredentialStore, or its seal is missing or cannot be opened. Its secrets will not be used until an administrator replaces the whole destination with MFA.")]
    public static partial void DestinationNotSealed(this ILogger logger, string companyId, IReadOnlyList<string> fields);

    [LoggerMessage(EventId = 1500, EventName = "CredentialExpiring", Level = LogLevel.Warning,
        Message = "The secret {SecretName} of company {CompanyId} expires at {ExpiresAt:O}: reminder {Threshold} (credential version {CredentialVersion}).")]
    public static partial void CredentialExpiring(this ILogger logger, string companyId, string secretName, DateTimeOffset expiresAt, string threshold, long credentialVersion);

    [LoggerMessage(EventId = 1501, EventName = "CredentialExpired", Level = LogLevel.Error,
        Message = "The secret {SecretName} of company {CompanyId} expired at {ExpiresAt:O} (credential version {CredentialVersion}); its transmissions fail until it is replaced.")]
    public static partial void CredentialExpired(this ILogger logger, string companyId, string secretName, DateTimeOffset expiresAt, long credentialVersion);

    [LoggerMessage(EventId = 1502, EventName = "ExpiryReminderNotDelivered", Level = LogLevel.Warning,
        Message = "Reminder {Threshold} for the secret {SecretName} of company {CompanyId} was not delivered ({ExceptionType}); it is raised again at a later scan.")]
    public static partial void ExpiryReminderNotDelivered(this ILogger logger, string companyId, string secretName, string threshold, string exceptionType);

    [LoggerMessage(EventId = 1503, EventName = "ExpiryScanFailed", Level = LogLevel.Error,
        Message = "The expiry scan failed after company {AfterCompanyId} ({ExceptionType}); the next scan starts at {NextScanAt:O}.")]
    public static partial void ExpiryScanFailed(this ILogger logger, string? afterCompanyId, string exceptionType, DateTimeOffset nextScanAt);

    [LoggerMessage(EventId = 1504, EventName = "ExpiryScanCompleted", Level = LogLevel.Debug,
        Message = "Expiry scan done: {CompanyCount} companies read, {ReminderCount} reminders raised.")]
    public static partial void ExpiryScanCompleted(this ILogger logger, int companyCount, int reminderCount);

    [LoggerMessage(EventId = 1505, EventName = "ExpiryReminderForTamperedCredentials", Level = LogLevel.Error,
        Message = "Company {CompanyId} failed its destination integrity check; reminder {Threshold} for the secret {SecretName} uses the sealed expiry {ExpiresAt:O}.")]
    public static partial void ExpiryReminderForTamperedCredentials(this ILogger logger, string companyId, string secretName, string threshold, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1510, EventName = "StagedPromotionRefused", Level = LogLevel.Warning,
        Message = "The staged credentials of company {CompanyId} were not promoted for {Actor}: {Reason} The current ones keep serving.")]
    public static partial void StagedPromotionRefused(this ILogger logger, string companyId, string actor, string reason);

    [LoggerMessage(EventId = 1511, EventName = "SecondarySecretServing", Level = LogLevel.Warning,
        Message = "The client secret of company {CompanyId} was refused (invalid_client); {SecretName} obtained the token and serves. Replace the refused one.")]
    public static partial void SecondarySecretServing(this ILogger logger, string companyId, string secretName);
}
