using System.Reflection;
using EInvoice.Transmission.Security.Dapper;

namespace EInvoice.Transmission.Security.Tests.Conventions;

/// <summary>
/// Public asynchronous methods (STYLE.md 6.5, issue #16): named <c>…Async</c>, and cancellable with a
/// <c>CancellationToken cancellationToken</c> as the last parameter.
/// </summary>
public sealed class AsyncMethodConventionTests
{
    /// <summary>
    /// Public asynchronous methods that take no <see cref="CancellationToken"/>, each with the reason. None today;
    /// <c>IAsyncDisposable.DisposeAsync</c> is the kind of method that would belong here.
    /// </summary>
    private static readonly Dictionary<string, string> WithoutCancellationToken = [];

    [Fact]
    public void PublicAsyncMethods_AreFound()
    {
        AsyncMethods().Should().Contain(m => m.DeclaringType == typeof(CredentialStore))
            .And.Contain(m => m.DeclaringType == typeof(DapperCredentialRepository))
            .And.Contain(m => m.DeclaringType == typeof(CredentialKind), "protected members of an extension point count too");
    }

    [Fact]
    public void PublicAsyncMethods_Name_EndsInAsync()
    {
        var misnamed = AsyncMethods().Where(m => !m.Name.EndsWith("Async", StringComparison.Ordinal)).Select(ShippedAssemblies.Describe);

        ConventionAssert.None(misnamed, "a method returning Task or ValueTask is named …Async");
    }

    [Fact]
    public void PublicAsyncMethods_CancellationToken_IsTheLastParameterNamedCancellationToken()
    {
        var misplaced = AsyncMethods()
            .Where(m => m.GetParameters() is var parameters
                && parameters.Any(p => p.ParameterType == typeof(CancellationToken))
                && (parameters.Count(p => p.ParameterType == typeof(CancellationToken)) > 1
                    || parameters[^1].ParameterType != typeof(CancellationToken)
                    || parameters[^1].Name != "cancellationToken"))
            .Select(ShippedAssemblies.Describe);

        ConventionAssert.None(misplaced, "the CancellationToken is one parameter, the last, named cancellationToken");
    }

    [Fact]
    public void PublicAsyncMethods_WithoutCancellationToken_OnlyTheListedExceptions()
    {
        var uncancellable = AsyncMethods()
            .Where(m => !m.GetParameters().Any(p => p.ParameterType == typeof(CancellationToken)))
            .Select(ShippedAssemblies.Describe)
            .Distinct();

        ConventionAssert.None(
            uncancellable.Except(WithoutCancellationToken.Keys),
            "every public asynchronous method can be cancelled; an exception is listed in WithoutCancellationToken with the reason");
    }

    private static List<MethodInfo> AsyncMethods() =>
    [
        .. ShippedAssemblies.PublicTypes
            .SelectMany(ShippedAssemblies.VisibleMembers)
            .OfType<MethodInfo>()
            .Where(m => !m.IsSpecialName && IsTaskLike(m.ReturnType)),
    ];

    private static bool IsTaskLike(Type type) =>
        type == typeof(Task) || type == typeof(ValueTask)
        || (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(Task<>) || definition == typeof(ValueTask<>)));
}
