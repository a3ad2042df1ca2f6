using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Tests.DependencyInjection;

/// <summary>
/// The ranges of the options live once, on the properties ([Range]), and the source-generated validators check them;
/// the documentation (<c>&lt;value&gt;</c>: "Between A and B") must say the same, or this fails.
/// </summary>
public sealed partial class OptionsRangeDocumentationTests
{
    public static TheoryData<Type> OptionsTypes => new() { typeof(OAuthOptions), typeof(CredentialStoreOptions) };

    [Theory]
    [MemberData(nameof(OptionsTypes))]
    public void EveryDocumentedRange_IsTheDeclaredRange_AndEveryDeclaredRangeIsDocumented(Type options)
    {
        var docs = XDocument.Load(Path.ChangeExtension(options.Assembly.Location, ".xml"));
        foreach (var property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var member = docs.Descendants("member").SingleOrDefault(m => (string?)m.Attribute("name") == $"P:{options.FullName}.{property.Name}");
            var value = member?.Element("value");
            var between = value is null ? null : Between().Match(string.Concat(value.Nodes().Select(n => n is XElement e ? $"<{(string?)e.Attribute("cref")}>" : n.ToString())));
            var range = property.GetCustomAttribute<RangeAttribute>();
            if (between is not { Success: true })
            {
                range.Should().BeNull("{0}.{1} declares a range its documentation does not state", options.Name, property.Name);
                continue;
            }

            range.Should().NotBeNull("{0}.{1} documents a range ('{2}') that nothing checks", options.Name, property.Name, between.Value);
            var (minimum, maximum) = (between.Groups["min"].Value, between.Groups["max"].Value);
            if (!minimum.StartsWith('<'))
            {
                Parse(minimum, property.PropertyType).Should().Be(Declared(range!.Minimum, property.PropertyType), "the documented minimum of {0}.{1}", options.Name, property.Name);
            }

            Parse(maximum, property.PropertyType).Should().Be(Declared(range!.Maximum, property.PropertyType), "the documented maximum of {0}.{1}", options.Name, property.Name);
        }
    }

    [Fact]
    public void GeneratedValidators_RefuseAValueOutsideTheRange_NamingTheSetting()
    {
        var oauth = new Internal.ConfigurationPathValidator<OAuthOptions>(new Internal.OAuthOptionsValidator(), "EInvoiceTransmission:OAuth")
            .Validate(null, new OAuthOptions { TokenRequestTimeout = TimeSpan.FromMinutes(6) });
        var store = new Internal.ConfigurationPathValidator<CredentialStoreOptions>(new Internal.CredentialStoreOptionsValidator(), "EInvoiceTransmission:Credentials")
            .Validate(null, new CredentialStoreOptions { RotationBatchSize = 0 });

        oauth.Failed.Should().BeTrue();
        oauth.FailureMessage.Should().Contain("EInvoiceTransmission:OAuth:TokenRequestTimeout must be between 00:00:01 and 00:05:00");
        store.FailureMessage.Should().Contain("EInvoiceTransmission:Credentials:RotationBatchSize must be between 1 and 10000");
        new Internal.OAuthOptionsValidator().Validate(null, new OAuthOptions()).Should().Be(ValidateOptionsResult.Success);
    }

    private static object Declared(object bound, Type type)
        => type == typeof(TimeSpan) ? TimeSpan.Parse((string)bound, CultureInfo.InvariantCulture) : Convert.ToInt32(bound, CultureInfo.InvariantCulture);

    /// <summary>"0", "10,000", "1 second", "100 milliseconds", "5 minutes", "24 hours".</summary>
    private static object Parse(string text, Type type)
    {
        var match = Quantity().Match(text);
        match.Success.Should().BeTrue("'{0}' is a documented quantity", text);
        var number = int.Parse(match.Groups["n"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        if (type != typeof(TimeSpan))
        {
            return number;
        }

        return match.Groups["unit"].Value switch
        {
            "" => TimeSpan.FromSeconds(number).Ticks == 0 ? TimeSpan.Zero : throw new FormatException($"'{text}' has no unit"),
            var unit when unit.StartsWith("millisecond", StringComparison.Ordinal) => TimeSpan.FromMilliseconds(number),
            var unit when unit.StartsWith("second", StringComparison.Ordinal) => TimeSpan.FromSeconds(number),
            var unit when unit.StartsWith("minute", StringComparison.Ordinal) => TimeSpan.FromMinutes(number),
            var unit when unit.StartsWith("hour", StringComparison.Ordinal) => TimeSpan.FromHours(number),
            var unit when unit.StartsWith("day", StringComparison.Ordinal) => TimeSpan.FromDays(number),
            var unit => throw new FormatException($"unknown unit '{unit}'"),
        };
    }

    [GeneratedRegex(@"Between (?<min>.+?) and (?<max>[^.]+(\.\d+)?)\.")]
    private static partial Regex Between();

    [GeneratedRegex(@"^(?<n>[\d,]+)\s*(?<unit>[a-z]*)$")]
    private static partial Regex Quantity();
}
