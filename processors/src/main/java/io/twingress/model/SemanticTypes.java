package io.twingress.model;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * DTDL's semantic types and the units each one takes. A semantic type names a unit type, and some share one
 * ({@code Humidity} is measured in {@code DensityUnit}, {@code Luminosity} in {@code PowerUnit}). DTDL v2 defines
 * them in the language (DTDL.v2.md, "Semantic Type"); v3 moved them into the quantitativeTypes extension
 * (DTDL.quantitativeTypes.v1.md), which adds ten semantic types and more units. The tables follow those two
 * documents exactly: a v3-only unit is not a v2 unit.
 */
final class SemanticTypes {

    private static final Set<String> ACCELERATION = Set.of("centimetrePerSecondSquared", "gForce",
            "metrePerSecondSquared");
    private static final Set<String> ANGLE = Set.of("degreeOfArc", "minuteOfArc", "radian", "secondOfArc", "turn");
    private static final Set<String> ANGULAR_ACCELERATION = Set.of("radianPerSecondSquared");
    private static final Set<String> ANGULAR_VELOCITY = Set.of("degreePerSecond", "radianPerSecond",
            "revolutionPerMinute", "revolutionPerSecond");
    private static final Set<String> AREA = Set.of("acre", "hectare", "squareCentimetre", "squareFoot", "squareInch",
            "squareKilometre", "squareMetre", "squareMillimetre");
    private static final Set<String> CAPACITANCE = Set.of("farad", "microfarad", "millifarad", "nanofarad",
            "picofarad");
    private static final Set<String> DATA_RATE = Set.of("bitPerSecond", "bytePerSecond", "exbibitPerSecond",
            "exbibytePerSecond", "gibibitPerSecond", "gibibytePerSecond", "kibibitPerSecond", "kibibytePerSecond",
            "mebibitPerSecond", "mebibytePerSecond", "tebibitPerSecond", "tebibytePerSecond", "yobibitPerSecond",
            "yobibytePerSecond", "zebibitPerSecond", "zebibytePerSecond");
    private static final Set<String> DATA_SIZE = Set.of("bit", "byte", "exbibit", "exbibyte", "gibibit", "gibibyte",
            "kibibit", "kibibyte", "mebibit", "mebibyte", "tebibit", "tebibyte", "yobibit", "yobibyte", "zebibit",
            "zebibyte");
    private static final Set<String> FORCE = Set.of("newton", "ounce", "pound", "ton");
    private static final Set<String> ILLUMINANCE = Set.of("footcandle", "lux");
    private static final Set<String> INDUCTANCE = Set.of("henry", "microhenry", "millihenry");
    private static final Set<String> LENGTH = Set.of("astronomicalUnit", "centimetre", "foot", "inch", "kilometre",
            "metre", "micrometre", "mile", "millimetre", "nanometre", "nauticalMile");
    private static final Set<String> LUMINANCE = Set.of("candelaPerSquareMetre");
    private static final Set<String> LUMINOUS_FLUX = Set.of("lumen");
    private static final Set<String> LUMINOUS_INTENSITY = Set.of("candela");
    private static final Set<String> MAGNETIC_FLUX = Set.of("maxwell", "weber");
    private static final Set<String> RESISTANCE = Set.of("kiloohm", "megaohm", "milliohm", "ohm");
    private static final Set<String> SOUND_PRESSURE = Set.of("bel", "decibel");
    private static final Set<String> TEMPERATURE = Set.of("degreeCelsius", "degreeFahrenheit", "kelvin");
    private static final Set<String> TIME = Set.of("day", "hour", "microsecond", "millisecond", "minute",
            "nanosecond", "second", "year");
    private static final Set<String> TORQUE = Set.of("newtonMetre");
    private static final Set<String> VELOCITY = Set.of("centimetrePerSecond", "kilometrePerHour",
            "kilometrePerSecond", "knot", "metrePerHour", "metrePerSecond", "milePerHour", "milePerSecond");
    private static final Set<String> VOLTAGE = Set.of("kilovolt", "megavolt", "microvolt", "millivolt", "volt");
    private static final Set<String> VOLUME = Set.of("cubicCentimetre", "cubicFoot", "cubicInch", "cubicMetre",
            "fluidOunce", "gallon", "litre", "millilitre");

    /** Unit types whose units DTDL v2 and the v3 extension list alike. */
    private static final Map<String, Set<String>> SHARED_UNITS = Map.ofEntries(
            Map.entry("AccelerationUnit", ACCELERATION),
            Map.entry("AngleUnit", ANGLE),
            Map.entry("AngularAccelerationUnit", ANGULAR_ACCELERATION),
            Map.entry("AngularVelocityUnit", ANGULAR_VELOCITY),
            Map.entry("AreaUnit", AREA),
            Map.entry("CapacitanceUnit", CAPACITANCE),
            Map.entry("DataRateUnit", DATA_RATE),
            Map.entry("DataSizeUnit", DATA_SIZE),
            Map.entry("ForceUnit", FORCE),
            Map.entry("IlluminanceUnit", ILLUMINANCE),
            Map.entry("InductanceUnit", INDUCTANCE),
            Map.entry("LengthUnit", LENGTH),
            Map.entry("LuminanceUnit", LUMINANCE),
            Map.entry("LuminousFluxUnit", LUMINOUS_FLUX),
            Map.entry("LuminousIntensityUnit", LUMINOUS_INTENSITY),
            Map.entry("MagneticFluxUnit", MAGNETIC_FLUX),
            Map.entry("ResistanceUnit", RESISTANCE),
            Map.entry("SoundPressureUnit", SOUND_PRESSURE),
            Map.entry("TemperatureUnit", TEMPERATURE),
            Map.entry("TimeUnit", TIME),
            Map.entry("TorqueUnit", TORQUE),
            Map.entry("VelocityUnit", VELOCITY),
            Map.entry("VoltageUnit", VOLTAGE),
            Map.entry("VolumeUnit", VOLUME));

    /** The unit types v3 widened, as DTDL v2 lists them. */
    private static final Map<String, Set<String>> V2_ONLY_UNITS = Map.ofEntries(
            Map.entry("ChargeUnit", Set.of("coulomb")),
            Map.entry("CurrentUnit", Set.of("ampere", "microampere", "milliampere")),
            Map.entry("DensityUnit", Set.of("gramPerCubicMetre", "kilogramPerCubicMetre")),
            Map.entry("EnergyUnit", Set.of("electronvolt", "gigajoule", "joule", "kilojoule", "kilowattHour",
                    "megaelectronvolt", "megajoule")),
            Map.entry("FrequencyUnit", Set.of("gigahertz", "hertz", "kilohertz", "megahertz")),
            Map.entry("MagneticInductionUnit", Set.of("tesla")),
            Map.entry("MassFlowRateUnit", Set.of("gramPerHour", "gramPerSecond", "kilogramPerHour",
                    "kilogramPerSecond")),
            Map.entry("MassUnit", Set.of("gram", "kilogram", "microgram", "milligram", "slug", "tonne")),
            Map.entry("PowerUnit", Set.of("gigawatt", "horsepower", "kilowatt", "kilowattHourPerYear", "megawatt",
                    "microwatt", "milliwatt", "watt")),
            Map.entry("PressureUnit", Set.of("bar", "inchesOfMercury", "inchesOfWater", "kilopascal", "millibar",
                    "millimetresOfMercury", "pascal", "poundPerSquareInch")),
            Map.entry("Unitless", Set.of("percent", "unity")),
            Map.entry("VolumeFlowRateUnit", Set.of("litrePerHour", "litrePerSecond", "millilitrePerHour",
                    "millilitrePerSecond")));

    /** The unit types as the v3 quantitativeTypes extension lists them, where they differ from v2 or are new. */
    private static final Map<String, Set<String>> V3_ONLY_UNITS = Map.ofEntries(
            Map.entry("ApparentEnergyUnit", Set.of("gigavoltAmpereHour", "kilovoltAmpereHour",
                    "megavoltAmpereHour", "voltAmpereHour")),
            Map.entry("ApparentPowerUnit", Set.of("gigavoltAmpere", "kilovoltAmpere", "megavoltAmpere",
                    "millivoltAmpere", "voltAmpere")),
            Map.entry("ChargeUnit", Set.of("ampereHour", "coulomb", "milliampereHour")),
            Map.entry("CurrentUnit", Set.of("ampere", "kiloampere", "microampere", "milliampere")),
            Map.entry("DensityUnit", Set.of("gramPerCubicMetre", "kilogramPerCubicMetre", "microgramPerCubicMetre",
                    "milligramPerCubicMetre")),
            Map.entry("EnergyUnit", Set.of("britishThermalUnit", "electronvolt", "gigajoule", "gigawattHour",
                    "joule", "kiloBritishThermalUnit", "kilojoule", "kilowattHour", "megaelectronvolt", "megajoule",
                    "megawattHour", "milliwattHour", "terawattHour", "wattHour")),
            Map.entry("FrequencyUnit", Set.of("gigahertz", "hertz", "kilohertz", "megahertz", "millihertz")),
            Map.entry("IonizingRadiationDoseUnit", Set.of("gray", "microgray", "microsievert", "milligray",
                    "millisievert", "sievert")),
            Map.entry("IrradianceUnit", Set.of("wattPerSquareMetre")),
            Map.entry("MagneticInductionUnit", Set.of("gauss", "tesla")),
            Map.entry("MassFlowRateUnit", Set.of("gramPerHour", "gramPerSecond", "kilogramPerHour",
                    "kilogramPerSecond", "massPoundPerHour")),
            Map.entry("MassUnit", Set.of("gram", "kilogram", "massPound", "microgram", "milligram", "slug",
                    "tonne")),
            Map.entry("PowerUnit", Set.of("britishThermalUnitPerHour", "gigajoulePerHour", "gigawatt",
                    "horsepower", "joulePerHour", "joulePerSecond", "kiloBritishThermalUnitPerHour",
                    "kilojoulePerHour", "kilojoulePerSecond", "kilowatt", "kilowattHourPerYear", "megajoulePerHour",
                    "megawatt", "microwatt", "milliwatt", "tonOfRefrigeration", "watt")),
            Map.entry("PressureUnit", Set.of("bar", "decapascal", "hectopascal", "inchesOfMercury", "inchesOfWater",
                    "kilopascal", "millibar", "millimetresOfMercury", "pascal", "poundPerSquareInch")),
            Map.entry("RadioactivityUnit", Set.of("becquerel", "gigabecquerel", "kilobecquerel", "megabecquerel")),
            Map.entry("ReactiveEnergyUnit", Set.of("gigavoltAmpereReactiveHour", "kilovoltAmpereReactiveHour",
                    "megavoltAmpereReactiveHour", "voltAmpereReactiveHour")),
            Map.entry("ReactivePowerUnit", Set.of("gigavoltAmpereReactive", "kilovoltAmpereReactive",
                    "megavoltAmpereReactive", "millivoltAmpereReactive", "voltAmpereReactive")),
            Map.entry("Unitless", Set.of("partsPerBillion", "partsPerMillion", "partsPerQuadrillion",
                    "partsPerTrillion", "percent", "unity")),
            Map.entry("VolumeFlowRateUnit", Set.of("cubicFootPerMinute", "cubicMetrePerHour", "cubicMetrePerMinute",
                    "cubicMetrePerSecond", "gallonPerHour", "gallonPerMinute", "litrePerHour", "litrePerMinute",
                    "litrePerSecond", "millilitrePerHour", "millilitrePerMinute", "millilitrePerSecond")));

    /** DTDL v2's semantic types, each with its unit type. */
    private static final Map<String, String> V2_TYPES = Map.ofEntries(
            Map.entry("Acceleration", "AccelerationUnit"),
            Map.entry("Angle", "AngleUnit"),
            Map.entry("AngularAcceleration", "AngularAccelerationUnit"),
            Map.entry("AngularVelocity", "AngularVelocityUnit"),
            Map.entry("Area", "AreaUnit"),
            Map.entry("Capacitance", "CapacitanceUnit"),
            Map.entry("Current", "CurrentUnit"),
            Map.entry("DataRate", "DataRateUnit"),
            Map.entry("DataSize", "DataSizeUnit"),
            Map.entry("Density", "DensityUnit"),
            Map.entry("Distance", "LengthUnit"),
            Map.entry("ElectricCharge", "ChargeUnit"),
            Map.entry("Energy", "EnergyUnit"),
            Map.entry("Force", "ForceUnit"),
            Map.entry("Frequency", "FrequencyUnit"),
            Map.entry("Humidity", "DensityUnit"),
            Map.entry("Illuminance", "IlluminanceUnit"),
            Map.entry("Inductance", "InductanceUnit"),
            Map.entry("Latitude", "AngleUnit"),
            Map.entry("Length", "LengthUnit"),
            Map.entry("Longitude", "AngleUnit"),
            Map.entry("Luminance", "LuminanceUnit"),
            Map.entry("Luminosity", "PowerUnit"),
            Map.entry("LuminousFlux", "LuminousFluxUnit"),
            Map.entry("LuminousIntensity", "LuminousIntensityUnit"),
            Map.entry("MagneticFlux", "MagneticFluxUnit"),
            Map.entry("MagneticInduction", "MagneticInductionUnit"),
            Map.entry("Mass", "MassUnit"),
            Map.entry("MassFlowRate", "MassFlowRateUnit"),
            Map.entry("Power", "PowerUnit"),
            Map.entry("Pressure", "PressureUnit"),
            Map.entry("RelativeHumidity", "Unitless"),
            Map.entry("Resistance", "ResistanceUnit"),
            Map.entry("SoundPressure", "SoundPressureUnit"),
            Map.entry("Temperature", "TemperatureUnit"),
            Map.entry("Thrust", "ForceUnit"),
            Map.entry("TimeSpan", "TimeUnit"),
            Map.entry("Torque", "TorqueUnit"),
            Map.entry("Velocity", "VelocityUnit"),
            Map.entry("Voltage", "VoltageUnit"),
            Map.entry("Volume", "VolumeUnit"),
            Map.entry("VolumeFlowRate", "VolumeFlowRateUnit"));

    /** The semantic types the v3 extension adds to v2's. */
    private static final Map<String, String> V3_ADDED_TYPES = Map.ofEntries(
            Map.entry("ApparentEnergy", "ApparentEnergyUnit"),
            Map.entry("ApparentPower", "ApparentPowerUnit"),
            Map.entry("Concentration", "Unitless"),
            Map.entry("EnergyRate", "PowerUnit"),
            Map.entry("IonizingRadiationDose", "IonizingRadiationDoseUnit"),
            Map.entry("Irradiance", "IrradianceUnit"),
            Map.entry("Radioactivity", "RadioactivityUnit"),
            Map.entry("ReactiveEnergy", "ReactiveEnergyUnit"),
            Map.entry("ReactivePower", "ReactivePowerUnit"),
            Map.entry("RelativeDensity", "Unitless"));

    private SemanticTypes() {
    }

    /** The semantic types of a DTDL version (v3: of the extension). */
    static Set<String> semanticTypes(int dtdlVersion) {
        if (dtdlVersion == 2) {
            return V2_TYPES.keySet();
        }
        Set<String> all = new TreeSet<>(V2_TYPES.keySet());
        all.addAll(V3_ADDED_TYPES.keySet());
        return all;
    }

    /** The unit type this semantic type takes in a DTDL version (v3: with the extension), or null if it is none. */
    static String unitType(int dtdlVersion, String semanticType) {
        String unitType = V2_TYPES.get(semanticType);
        return unitType == null && dtdlVersion == 3 ? V3_ADDED_TYPES.get(semanticType) : unitType;
    }

    /** The units of a unit type in a DTDL version; empty for an unknown unit type. */
    static Set<String> units(int dtdlVersion, String unitType) {
        Set<String> units = (dtdlVersion == 2 ? V2_ONLY_UNITS : V3_ONLY_UNITS).get(unitType);
        return units != null ? units : SHARED_UNITS.getOrDefault(unitType, Set.of());
    }
}
