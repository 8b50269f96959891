"""HELD-OUT template families: never trained on, only measured.

Other document types than the TRAIN families (radiology report, outpatient clinic
letter, nursing transfer note), other layouts ("Name, Vorname:", "* 12.03.1950",
"Untersuchung vom") and other phrasings. Names, towns and nouns come from the
held-out halves of the word pools (:mod:`.wordlist`), so a held-out score also
measures how the model does on names it has never seen.
"""

FAMILIES = {
    "radiologie": {
        "doc_type": "Radiologischer Befund",
        "header": (
            "{dept}\n{hosp}\n\nName, Vorname: {pat_rev}   * {dob}\n"
            "Untersuchungs-Nr.: {order}   Aufnahme-Nr. {adm}\nUntersuchung vom {date}: "
            "CT Thorax mit Kontrastmittel\nZuweiser: {doc_b_title}{doc_b_full}, Station {ward}",
            "RADIOLOGIE - BEFUNDBERICHT\nPat.: {pat_hr} {pat_full} (*{dob}), "
            "Fall {case}\nMRT Schädel nativ am {date}\nAnforderung: {gp_title}{gp_last}, "
            "{prax_city}",
        ),
        "body": (
            "Klinische Angabe: Verdacht auf Lungenembolie, D-Dimere erhöht.",
            "Fragestellung: Raumforderung? Blutung?",
            "Voruntersuchung zum Vergleich: CT vom {hist_date}.",
            "Befund: Keine Kontrastmittelaussparung in den Pulmonalarterien.",
            "Kein Pleuraerguss, kein Perikarderguss, Lymphknoten nicht vergrößert.",
            "Im Vergleich zur Voraufnahme aus {hist_date} größenkonstanter Rundherd im "
            "rechten Oberlappen.",
            "Die {age}-jährige {patient} war nur eingeschränkt kooperativ.",
            "Altersentsprechende Hirnvolumenminderung bei dem {age} Jahre alten {patient}.",
            "Beurteilung: Kein Nachweis einer Lungenembolie.",
            "Empfehlung: Verlaufskontrolle in sechs Monaten, etwa {day_month}.",
            "Das Ergebnis wurde am {date} um 16:40 Uhr telefonisch mit {doc_c_title}"
            "{doc_c_last} besprochen.",
            "Dosislängenprodukt {val} mGy*cm.",
        ),
        "footer": (
            "Befundende Ärztin/befundender Arzt: {doc_a_title}{doc_a_full}\n"
            "Freigabe: {doc_b_title}{doc_b_last}, {date}",
            "{doc_a_title}{doc_a_last} / {doc_c_title}{doc_c_last}\nRadiologie, Durchwahl {phone}",
        ),
    },
    "ambulanzbrief": {
        "doc_type": "Ambulanzbrief",
        "header": (
            "{hosp} | {clinic_street} | {clinic_plz} {clinic_city}\n\n"
            "Frau/Herrn {gp_title}{gp_full}\n{prax_street}\n{prax_plz} {prax_city}\n\n"
            "Ambulante Vorstellung am {date}\n{pat_rev}, * {dob}, {home_street}, "
            "{home_plz} {home_city}\nVersicherten-Nr. {kvnr} ({insurer})\n\n"
            "Liebe Kollegin, lieber Kollege,",
            "Ambulanz für Rheumatologie - {hosp}\nSprechstunde vom {date}\n\n"
            "Betr.: {pat_hr} {pat_full}, geboren {dob}\nTel. privat {pat_phone}\n\n"
            "Liebe {gp_hr} {gp_title}{gp_last},",
        ),
        "body": (
            "vielen Dank für die Zuweisung {des_patienten} {pat_last}, den/die wir heute in "
            "unserer Sprechstunde gesehen haben.",
            "{Er_Sie} berichtet über seit {hist_date} zunehmende Gelenkschmerzen.",
            "Frühere Behandlung im {hosp} bis {hist_date}.",
            "Sozialanamnese: verwitwet, Sohn {rel_full} kümmert sich, erreichbar unter {phone}.",
            "Die Vorstellung erfolgte in Begleitung des Enkels {rel_first}.",
            "Klinisch zeigen sich Schwellungen der MCP-Gelenke beidseits.",
            "Wir haben eine Therapie mit Methotrexat {dose} mg wöchentlich begonnen.",
            "Laborkontrollen bitten wir alle vier Wochen, erstmals am {date}, durchzuführen.",
            "Rückfragen gerne per Mail an {doc_email} oder telefonisch unter {phone}.",
            "Die Abrechnung der Wahlleistung erfolgt über IBAN {iban}.",
            "{pat_hr} {pat_last} wünscht Befundkopien an {pat_email}.",
            "Nächster Termin: {date}, 10:30 Uhr, Ambulanz Ebene 2.",
        ),
        "footer": (
            "Mit herzlichen Grüßen aus {clinic_city}\n{doc_a_title}{doc_a_full}  "
            "{doc_b_title}{doc_b_full}",
            "Herzliche Grüße\nIhr {doc_a_title}{doc_a_last}\nLANR {lanr}",
        ),
    },
    "pflegeueberleitung": {
        "doc_type": "Pflegeüberleitungsbogen",
        "header": (
            "Pflegeüberleitung / Verlegungsbericht\nvon: {hosp}, Station {ward}\n"
            "an: {care_home}, {prax_street}, {prax_plz} {prax_city}\n\n"
            "Bewohner/in: {pat_last}, {pat_first}  Geb.: {dob}\nAufnahme: {adm_date}  "
            "Verlegung: {dis_date}\nAufnahmenummer: {adm}",
        ),
        "body": (
            "Mobilität: mit Rollator auf Stationsebene mobil, Sturzgefahr.",
            "Ernährung: passierte Kost, Trinkmenge ca. 1,5 l täglich.",
            "Haut: Dekubitus Grad II sakral, Wundversorgung alle 2 Tage.",
            "Kontaktperson: {rel_full}, Telefon {phone}.",
            "Betreuerin laut Beschluss vom {hist_date}: {rel_hr} {rel_last}.",
            "Hausarzt: {gp_title}{gp_full}, {prax_city}.",
            "Die {age}-jährige Bewohnerin ist zeitlich nicht orientiert.",
            "Letzter Stuhlgang am {day_month}.",
            "Ausscheidung: Dauerkatheter seit {date}.",
            "Pflegegrad 4, Antrag auf Höherstufung gestellt am {date}.",
            "Medikamente für 3 Tage mitgegeben, Übergabe an Pflegekraft {doc_c_full}.",
        ),
        "footer": ("Für Rückfragen: Stationstelefon {phone}\nPflegefachkraft {doc_b_full}",),
    },
}

NEGATIVES = (
    "Hinsichtlich der {noun} ergaben sich keine neuen Gesichtspunkte.",
    "Die {noun} wirkt sich laut Angaben nicht auf die {noun} aus.",
    "Wegen der {noun} wurde auf eine {noun} verzichtet.",
    "Ein {noun_surname} am Fenster habe sie nachts geweckt.",
    "Seit dem letzten {noun_surname} sei die Stimmung gedrückt.",
    "Kein Anhalt für {noun} oder {noun}.",
    "{clinical_noun} und {clinical_noun} gemäß Standard.",
    "Die Morgenvisite fand wie üblich auf Station statt.",
    "Befund unverändert zur Voruntersuchung.",
    "{noun}, {noun} und {noun} wurden dokumentiert.",
    "RR {rr} mmHg, Herzfrequenz {val}/min, Hb {hb} g/dl.",
)
