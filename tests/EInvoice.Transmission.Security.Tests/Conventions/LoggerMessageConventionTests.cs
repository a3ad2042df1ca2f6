using System.Reflection;
using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Tests.Conventions;

/// <summary>
/// Log events (STYLE.md 6.8, issue #16): each <c>[LoggerMessage]</c> has an explicit event id, unique across both
/// assemblies and inside its assembly's range, and an event name equal to its method name, so that the name a log
/// query filters on is the name a reader finds in the code.
/// </summary>
public sealed class LoggerMessageConventionTests
{
    /// <summary>The event ids each assembly may use (Internal/Log.cs of each documents the sub-ranges).</summary>
    private static readonly Dictionary<Assembly, (int First, int Last)> IdRanges = new()
    {
        [ShippedAssemblies.Core] = (1000, 1999),
        [ShippedAssemblies.Dapper] = (2000, 2099),
        [ShippedAssemblies.Pkcs11] = (3000, 3049),
        [ShippedAssemblies.AwsKms] = (3100, 3149),
    };

    [Fact]
    public void LoggerMessages_EachShippedAssembly_HasSome()
    {
        var messages = LoggerMessages();

        foreach (var assembly in ShippedAssemblies.All)
        {
            messages.Should().Contain(m => m.Method.DeclaringType!.Assembly == assembly, $"{assembly.GetName().Name} logs, so the scan must see its messages");
        }
    }

    [Fact]
    public void LoggerMessages_EventId_IsExplicitUniqueAndInItsAssemblysRange()
    {
        var messages = LoggerMessages();

        ConventionAssert.None(
            messages.Where(m => m.Attribute.EventId < IdRanges[m.Method.DeclaringType!.Assembly].First || m.Attribute.EventId > IdRanges[m.Method.DeclaringType!.Assembly].Last)
                .Select(m => $"{ShippedAssemblies.Describe(m.Method)}: {m.Attribute.EventId}"),
            "each message has an explicit EventId inside its assembly's range");
        ConventionAssert.None(
            messages.GroupBy(m => m.Attribute.EventId).Where(g => g.Count() > 1)
                .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => ShippedAssemblies.Describe(m.Method)))}"),
            "an event id names one event, and ids are never reused");
    }

    [Fact]
    public void LoggerMessages_EventName_EqualsTheMethodName()
    {
        var mismatched = LoggerMessages()
            .Where(m => m.Attribute.EventName != m.Method.Name)
            .Select(m => $"{ShippedAssemblies.Describe(m.Method)} has EventName \"{m.Attribute.EventName}\"");

        ConventionAssert.None(mismatched, "the event name a log query filters on is the method name a reader searches the code for");
    }

    private static List<(MethodInfo Method, LoggerMessageAttribute Attribute)> LoggerMessages() =>
    [
        .. ShippedAssemblies.All
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()!))
            .Where(m => m.Attribute is not null),
    ];
}
