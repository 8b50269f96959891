"""Round nine of issue 11: organisations without a known head word, and clinical words
that must stay (invented text; eval9's names and sentences are not used).

Each case is one class of ``recognizers_orgs.py``, ``abbreviations.py`` or the keep list's
round-nine patterns, run through the whole analyzer with the rules alone and with the
session model (see ``test_deid_tricky.check_case``).
"""

from __future__ import annotations

import pytest

from .test_deid_tricky import check_case

CASES = {
    "abbreviation in brackets after the name, then alone": (
        "Gerinnungszentrum Quernbach Nord (GZQN)\nBericht an die Hausärztin.\n"
        "Rückfragen bitte an das Sekretariat GZQN, werktags.",
        ["Quernbach", "GZQN", ("GZQN", 1)],
        ["Bericht", "Hausärztin", "Sekretariat"],
    ),
    "abbreviation that a found name uses, alone elsewhere": (
        "An den Landesverband Weserbergland – Eingliederungshilfe\n"
        "Kopie: LVW-Klinikum Quernheim\nAz. LVW: 12-3456",
        ["Landesverband", "Weserbergland", "LVW", ("LVW", 1)],
        ["Eingliederungshilfe"],
    ),
    "a role's letters spell a service but are no name of it": (
        "Versorgung durch Pflegedienst Quernholt; Visite durch die PDL am Montag.",
        ["Quernholt"],
        ["PDL", "Visite"],
    ),
    "employer by its acronym after the article": (
        "Er arbeitet als Gleisbauer bei der WSBQ, Rückkehr im März geplant.",
        ["WSBQ"],
        ["Gleisbauer", "Rückkehr"],
    ),
    "employer after a job at the start of a remark": (
        "Sozial: Lagerist bei Quarnberg Logistik in Emden. (Schreiner bei Tischlerei "
        "Wendebrok); (Fehler bei Eingabe)",
        ["Quarnberg", "Logistik", "Wendebrok"],
        ["Schreiner", "Fehler", "Eingabe"],
    ),
    "registered association named by ordinary words": (
        "Betreuung durch die Suchthilfe Leuchtturm e.V. (Tel. 0421 55 66 77).",
        ["Leuchtturm"],
        ["Betreuung"],
    ),
    "public bodies by region, chambers and research institutes": (
        "Begutachtung durch den MD Nordhessen am 3.2.; an: Kommunale Unfallversicherung "
        "Sachsen; Verfügung hinterlegt beim ZTR der Bundesärztekammer; Mitglied der "
        "Sächsische Apothekerkammer; Probe an Fraunhofer IQX; Haftpflichtversicherer "
        "(Solvanta, Schaden-Nr. 12).",
        ["Nordhessen", "Unfallversicherung", "ZTR", "Bundesärztekammer", "Apothekerkammer",
         "IQX", "Solvanta"],
        ["Begutachtung", "Verfügung", "Probe"],
    ),
    "houses by site, river side, town or person": (
        "Tänzerin am Stadttheater am Lindenmarkt; Von: Sonnen-Apotheke am Markt; "
        "Klinikum rechts der Wupper; Universitätsmedizin Rostock; Lehrer an der "
        "Gesamtschule Quernfeld; Schule: Amalie-Quernheim-Gymnasium; Verein TSV Quernbach; "
        "Entlassung in die Kurzzeitpflege Haus Quernhorst; Pflegedienst\nHomecare Weserland; "
        "Verlegung in die Uniklinik am Abend",
        ["Stadttheater", "Lindenmarkt", "Sonnen-Apotheke", "Wupper", "Rostock", "Quernfeld",
         "Amalie-Quernheim-Gymnasium", "Quernbach", "Quernhorst", "Weserland", "Uniklinik"],
        ["Tänzerin", "Lehrer", "Entlassung"],
    ),
    "a school named by a person in one word, not a kind of school or care": (
        "Schülerin der Quernmannschule; Rückenschule und Tagesklinik empfohlen; häusliche "
        "SAPV seit Mai, Team: SAPV-Team Quernland.",
        ["Quernmannschule", "Quernland"],
        ["Rückenschule", "Tagesklinik", "SAPV"],
    ),
    "a department by its field or patient group, a practice before its doctors": (
        "Verlegung ins Zentrum für Schwerbrandverletzte; Klinik für Anästhesie und "
        "Intensivmedizin; Zentrum für Innere Medizin. Praxis Dres. Quernhold und Lindgart.",
        ["Quernhold", "Lindgart"],
        ["Schwerbrandverletzte", "Anästhesie", "Intensivmedizin", "Innere"],
    ),
    "a letterhead's practice, a brothers' firm": (
        "Physiotherapie Quernland – Praxis am Marktplatz\nVorher 2006-2013 bei Gebr. "
        "Quernhold, Malerbetrieb.",
        ["Quernland", "Quernhold"],
        ["Malerbetrieb"],
    ),
    "device lines, pacemaker modes and gradings by two authors stay": (
        "Aggregat: Biotronik Quernis DR, Modus DDD, 60/min. SAB (Quernau & Lindgart II).",
        [],
        ["Quernis", "DDD", "Quernau", "Lindgart"],
    ),
    "firms by owner and kin, district offices, houses of a kind by region": (
        "Sein Chef von Quernberg & Söhne rief an. Landratsamt Quernkreis, Abteilung "
        "Gesundheit. Verlegung aus der Quernalb-Kinderklinik Lindgart.",
        ["Quernberg", "Söhne", "Quernkreis", "Quernalb-Kinderklinik", "Lindgart"],
        ["Abteilung", "Gesundheit", "Verlegung"],
    ),
    "a house named after its saint, not a valve of that maker": (
        "Überdosierung zuletzt 2021 (St. Quernhild). Klappenersatz (St. Quernus 27 mm). "
        "St. p. Cholezystektomie.",
        ["Quernhild"],
        ["Quernus", "Cholezystektomie"],
    ),
    "an examination or service before the house is no part of its name": (
        "23.06. Feindiagnostik Pränatalzentrum Quernbach\nVoranmeldung Herzkatheterlabor "
        "Quernstift-Krankenhaus Lindgart (0521 70 20).",
        ["Quernbach", "Quernstift-Krankenhaus"],
        ["Feindiagnostik", "Herzkatheterlabor", "Voranmeldung"],
    ),
    "departments, strength grades and findings are no organisations": (
        "Klinik für Gesichtschirurgie – MKG-Zentrum\nDie Kraft der Kniestrecker KG 4/5 "
        "beidseits. Histologie Nebennierenhyperplasie. Linke Herzkammer erweitert.",
        [],
        ["MKG-Zentrum", "Kniestrecker", "KG", "Nebennierenhyperplasie", "Herzkammer"],
    ),
    "clinical words that stay: drug classes, methods, aids, brands, diseases": (
        "Übergebrauch von Triptanen und Statine pausiert. Therapie: PNF nach Kabat. "
        "Ernährung mit Quernau-Sauger; Hörgeräte (Audiora) bds.; Fuß Quernit Terra-Step XR. "
        "Laut Vater Scharlach, Windpocken 2019. DMP Diabetes. Gespräch nach Ankunft der "
        "Tochter. Transport per RTW nach Quernheim. Stuhlregulation mit Quernofalk; "
        "DIEP-Lappen; Feindiagnostik; Quernton Obesity Staging 2.",
        ["Quernheim"],
        ["Triptanen", "Statine", "Kabat", "Quernau-Sauger", "Audiora", "Quernit",
         "Terra-Step", "Scharlach", "Windpocken", "DMP", "Diabetes", "Ankunft", "Quernofalk",
         "DIEP-Lappen", "Feindiagnostik", "Quernton"],
    ),
    # Round ten: organisations known by their position, not by a head word.
    "acronyms and brands where letters name bodies": (
        "Meldung an QLBV erfolgt. Die Tochter hat sich über die QPVB beschwert. Mutter "
        "(Elternverein QEVK) informiert. Trio-Exom (QuerGen) unauffällig. Er war Dreher "
        "bei QMW in Hamburg. Bei COPD in Remission keine Therapie. Meldung BG entfällt. "
        "Labor: CRP 12 mg/l. Kopie: HNO. Mitarbeiter der ZNA informiert, Beratung durch SAPV.",
        ["QLBV", "QPVB", "QEVK", "QuerGen", "QMW"],
        ["COPD", "Remission", "BG", "Meldung", "Dreher", "CRP", "HNO", "ZNA", "SAPV"],
    ),
    "a long name before the acronym it defines, then the acronym alone": (
        "Sie arbeitet bei den Quernauer Stadtwerken (QSW) im Büro.\n"
        "Nordisches Schlaf- und Atmungszentrum (NSAZ) – Ambulanz\nRückfragen an das NSAZ.",
        ["Quernauer", "Stadtwerken", "QSW", "Atmungszentrum", ("NSAZ", 1)],
        ["Büro", "Ambulanz", "Rückfragen"],
    ),
    "practices by a nickname or site, houses by a name, bodies by their task": (
        "Kinderarzt: Kinderarztpraxis Kleiner Bär, Quernbach\nLogopädie bei Praxis Sprachlust"
        "\nKopie: Lungen-Praxis Quernland\nKinder- und Jugendärzte Am Quernmarkt, Dr. Ulm"
        "\nGEMEINSCHAFTSPRAXIS FÜR GYNÄKOLOGIE UND GEBURTSHILFE AM QUERNTOR\n"
        "Entbindung im Quernhildhospital. Vater: Quernwald Universität. Meldung an den "
        "Landesbeauftragten für Datenschutz Quernland. Kreisklinik Quernau (Quernova).\n"
        "Unterkunft: Pension Quernblick; Abholung durch Kurierdienst Quernland Medexpress.",
        ["Bär", "Sprachlust", "Lungen-Praxis", "Quernmarkt", "QUERNTOR",
         "Quernhildhospital", "Quernwald", "Landesbeauftragten", "Quernova", "Quernblick",
         "Medexpress"],
        ["Kinderarzt", "Logopädie", "Entbindung"],
    ),
    "no bodies: departments, specialties in brackets, times after a practice": (
        "Klinik und Poliklinik für Neurologie. Reha-Klinik Quernhang (Orthopädie). "
        "Universitätsklinik für Kardiologie. Vorstellung in der Praxis Anfang, dann "
        "Kontrolle im Kinderhospital.",
        ["Quernhang"],
        ["Poliklinik", "Neurologie", "Orthopädie", "Universitätsklinik", "Kardiologie",
         "Anfang", "Kinderhospital"],
    ),
    "round ten: devices, eponym compounds, salts, bites, roles and services stay": (
        "Befund: Mesialbiss links. Plan: Quernau-Block nach Quernhoff, dann Bögen. Zustand "
        "nach Quernberg-Tetralogie, Quernwell-Klappe 2019; Braunüle (Quernofix Safety). "
        "Ablation mit Quernopulse. Natriumfolinat i.v.; Quernau-Güsse täglich; "
        "Therapie: Logopädie und Quernales-Therapie. Kardiologie-Konsil morgen. Aufnahme "
        "nach Score; Box im Kühlschrank. Die Kita-Leitung ist informiert. Dazu die "
        "Rücken-Sportgruppe des Quernwald-Verein Lindau e.V.\n"
        "Mit freundlichen Grüßen\nDr. Ilse Quernwart\nHygienebeauftragte\n",
        ["Quernwart", "Quernwald-Verein"],
        ["Rücken-Sportgruppe", "Mesialbiss", "Quernhoff", "Quernberg-Tetralogie",
         "Quernwell-Klappe", "Quernofix",
         "Quernopulse", "Natriumfolinat", "Quernau-Güsse", "Logopädie", "Quernales-Therapie",
         "Kardiologie-Konsil", "Score", "Box", "Kita-Leitung", "Hygienebeauftragte"],
    ),
    "round eleven: bodies by shape and position": (
        "Kasse: BKK57, Vorbefund UKQM; Versicherung QuernBKK. Er ist als Monteur bei "
        "Quarnwerk Dutchfield unter der Woche auswärts; ehem. Schichtleiter bei Quernmann; "
        "(Schweißer bei Bremer Druckwerke). Gruppe des Quernikerbund Niedersachsen. Lebt im "
        "Seniorenwohnen Quernstedt.\nHebammenpraxis Nestwiege · Hauptstraße 1\n"
        "Vorher Evangelisches Krankenhaus Bergland und Krankenhaus Barmherzige Brüder; "
        "Bildgebung: Radiologie Mittelhessen MVZ.",
        ["BKK57", "UKQM", "QuernBKK", "Dutchfield", "Quernmann", "Druckwerke",
         "Quernikerbund", "Quernstedt", "Nestwiege", "Bergland", "Barmherzige", "Mittelhessen"],
        ["Kasse", "Monteur", "Schichtleiter", "Schweißer", "Gruppe", "Vorher", "Bildgebung"],
    ),
    "round eleven: units, sports, devices, creams and Latin terms stay": (
        "Tagesklinik für Essstörungen. Zuweisung an das Phototherapie-Zentrum. Vorstellung im "
        "Tumorboard Do. Bewegung: Nordic Walking. TAVI mit Quernolut FX 26 mm. Geräte: "
        "Quernaire MasterQuern Body, FeNO Quernox. Begleitend Quernilar-Schaum, dazu "
        "Quernsinoh HPA-Lanolin. Diagnosen: Asthma bronchiale; Migräne ohne Aura. Aufnahme "
        "Gehirn, Myokard. Fachärztin für Nuklearmedizin. HeartMate (Destination Therapy).",
        [],
        ["Tagesklinik", "Essstörungen", "Phototherapie-Zentrum", "Tumorboard", "Nordic",
         "Walking", "Quernolut", "Quernaire", "MasterQuern", "Body", "Quernilar-Schaum",
         "Quernsinoh", "Asthma", "bronchiale", "Aura", "Myokard", "Nuklearmedizin", "Therapy"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(CASES))
def test_rules_alone(patterns_only, kind):
    check_case(patterns_only, CASES, kind)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_with_the_model(deidentifier, kind):
    check_case(deidentifier, CASES, kind)
