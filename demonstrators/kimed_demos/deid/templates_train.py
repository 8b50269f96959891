"""TRAIN template families: what the NER model learns from.

Three document types written in one house style: an inpatient discharge letter
(Entlassbrief), a laboratory report and a GP referral. The HELD-OUT families in
:mod:`.templates_heldout` are other document types with other phrasings, so that the
evaluation measures generalisation rather than memorised sentence frames.

A family is a dict of ``header``/``footer`` alternatives and ``body`` sentences; slots
in braces are filled by :class:`~.fills.Persona`. ``NEGATIVES`` are entity-free,
noun-heavy sentences: capitalised words that are not names.
"""

FAMILIES = {
    "entlassbrief": {
        "doc_type": "Entlassbrief",
        "header": (
            "{hosp}\n{dept}\n{clinic_street}, {clinic_plz} {clinic_city}\n"
            "Tel. {phone}, Fax {phone}\n\n{gp_title}{gp_full}\n{prax_street}\n"
            "{prax_plz} {prax_city}\n\n{clinic_city}, den {dis_date}\n\n"
            "Entlassbrief\n\nSehr geehrte Frau Kollegin, sehr geehrter Herr Kollege,\n\n"
            "wir berichten über {ihre_patientin} {pat_hr} {pat_full}, geb. am {dob}, "
            "wohnhaft {home_street}, {home_plz} {home_city}, {der_die} sich vom {adm_date} "
            "bis zum {dis_date} in unserer stationären Behandlung befand.",
            "{hosp} - {dept}\n{clinic_street} - {clinic_plz} {clinic_city}\n\n"
            "Patient: {pat_rev}, geb. {dob}\nFallnummer: {case}\n"
            "Aufenthalt: {adm_date} - {dis_date}, Station {ward}\n\n"
            "{gp_dear} {gp_title}{gp_last},\n\n"
            "wir berichten Ihnen über den stationären Aufenthalt {des_patienten} {pat_last}.",
        ),
        "body": (
            "Diagnosen: Akut dekompensierte Herzinsuffizienz NYHA III, arterielle Hypertonie, "
            "Diabetes mellitus Typ 2.",
            "Anamnese: Die Aufnahme erfolgte über unsere Notaufnahme bei zunehmender "
            "Belastungsdyspnoe seit dem {date}.",
            "{pat_hr} {pat_last} ist {age} Jahre alt und lebt allein.",
            "Die {age}-jährige {patient} stellte sich mit Fieber und Husten vor.",
            "Bei Aufnahme zeigte sich ein Blutdruck von {rr} mmHg und ein Hb von {hb} g/dl.",
            "Im Verlauf erfolgte am {date} eine transthorakale Echokardiographie.",
            "Zustand nach Appendektomie {hist_date}, Cholezystektomie {hist_date}.",
            "Unter diuretischer Therapie kam es zu einer deutlichen Besserung der Beschwerden.",
            "Nach Rücksprache mit {doc_b_title}{doc_b_full} wurde die Medikation angepasst.",
            "Wir bitten um Kontrolle der Elektrolyte und des Kreatinins in Ihrer Praxis.",
            "Medikation bei Entlassung: Ramipril {dose} mg 1-0-0, Torasemid {dose} mg 1-0-0.",
            "Angehörige: {rel_hr} {rel_full}, erreichbar unter {phone}.",
            "Eine Wiedervorstellung in unserer Ambulanz ist für den {date} vereinbart.",
            "Bei Rückfragen stehen wir Ihnen gerne unter {phone} zur Verfügung.",
            "Die Entlassung erfolgte am {dis_date} in gutem Allgemeinzustand nach Hause.",
            "Versichert bei der {insurer}, Versichertennummer {kvnr}.",
            "Der Patientenwunsch nach Verlegung in das {hosp} wurde berücksichtigt.",
            "Auf Station {ward} wurde die Mobilisation durch die Physiotherapie begleitet.",
            "In der Visite am {day_month} berichtete {pat_hr} {pat_last} über Schwindel.",
            "Befund: Herz rhythmisch, keine pathologischen Geräusche, Lunge basal feuchte RGs.",
        ),
        "footer": (
            "Mit freundlichen kollegialen Grüßen\n\n{doc_a_title}{doc_a_full}\n{doc_a_role}\n\n"
            "{doc_b_title}{doc_b_full}\nStationsarzt",
            "Mit freundlichen Grüßen\n{doc_a_title}{doc_a_full}, {doc_a_role}\nE-Mail: {doc_email}",
        ),
    },
    "labor": {
        "doc_type": "Laborbefund",
        "header": (
            "Zentrallabor {hosp}\nLaborbefund\n\nPatient: {pat_rev}\nGeb.-Datum: {dob}\n"
            "Fall-Nr.: {case}\nAuftragsnummer: {order}\nEinsender: {dept}, Station {ward}\n"
            "Eingang: {date} 08:15 Uhr",
            "Laborbericht vom {date}\nName: {pat_last}, Vorname: {pat_first}\n"
            "geboren: {dob}\nPat.-Nr. {pid}\nAnforderung durch {doc_c_title}{doc_c_full}",
        ),
        "body": (
            "Hb {hb} g/dl (Ref. 12,0-16,0), Leukozyten {val} /nl, Thrombozyten {val} /nl.",
            "Natrium {val} mmol/l, Kalium {val} mmol/l, Kreatinin {val} mg/dl.",
            "CRP {val} mg/l (erhöht), Procalcitonin {val} ng/ml.",
            "Blutkulturen vom {date}: kein Wachstum nach 5 Tagen.",
            "HbA1c {val} %, Glukose nüchtern {val} mg/dl.",
            "Gerinnung: Quick {val} %, INR {val}, PTT {val} s.",
            "Urinstatus: Leukozyten positiv, Nitrit negativ.",
            "Vorwert vom {hist_date}: Kreatinin {val} mg/dl.",
            "Der kritische Kaliumwert wurde um 14:20 Uhr telefonisch an {doc_b_title}"
            "{doc_b_full} übermittelt.",
            "Material: Serum, Abnahme {date}.",
        ),
        "footer": (
            "Validiert: {doc_a_title}{doc_a_full}, Laborärztin\nRückfragen: {phone}",
            "Technische Validation: MTLA {rel_full}\nMedizinische Validation: {doc_a_title}"
            "{doc_a_last}",
        ),
    },
    "ueberweisung": {
        "doc_type": "Überweisung",
        "header": (
            "Praxis {gp_title}{gp_full}\nFacharzt für Allgemeinmedizin\n"
            "{prax_street}, {prax_plz} {prax_city}\nTelefon {phone} - Fax {phone}\n"
            "BSNR {bsnr} - LANR {lanr}\n\nÜberweisung an: {hosp}, {dept}\n\n"
            "Patient: {pat_full}, geb. {dob}\nKrankenkasse: {insurer}, KVNR: {kvnr}\n"
            "Anschrift: {home_street}, {home_plz} {home_city}",
        ),
        "body": (
            "Sehr geehrte Kolleginnen und Kollegen, ich überweise {ihre_patientin} "
            "zur weiteren Abklärung.",
            "Seit {hist_date} bestehen rezidivierende Oberbauchschmerzen.",
            "Die letzte Koloskopie erfolgte am {date} ohne Befund.",
            "{pat_hr} {pat_last} ist telefonisch unter {pat_phone} erreichbar.",
            "Kontakt per E-Mail: {pat_email}.",
            "Die Vorbefunde vom {date} liegen bei.",
            "Bitte um Rückmeldung an die Praxis, Telefon {phone}.",
            "Die Behandlung erfolgt als Privatleistung; Bankverbindung der Praxis: IBAN {iban}.",
            "Bekannte Allergien: Penicillin. Dauermedikation: Metformin {dose} mg 1-0-1.",
            "Begleitperson: {rel_hr} {rel_full}.",
        ),
        "footer": (
            "Mit kollegialen Grüßen\n{gp_title}{gp_full}\nLANR {lanr}",
            "Mit freundlichen Grüßen\n{gp_title}{gp_last}",
        ),
    },
}

NEGATIVES = (
    "Die {noun} wurde im Rahmen der {clinical_noun} ausführlich besprochen.",
    "{noun} und {noun} sind im Verlauf unauffällig geblieben.",
    "Zur {noun} erfolgte eine Beratung durch den Sozialdienst.",
    "Der {noun_surname} im Garten wird vom Patienten als beruhigend beschrieben.",
    "Im {noun_surname} nehmen die Beschwerden regelmäßig zu.",
    "{clinical_noun}: {noun}, {noun} und {noun} ohne pathologischen Befund.",
    "Eine {noun} ist derzeit nicht geplant.",
    "Die {clinical_noun} auf Station verlief ohne Besonderheiten.",
    "Visite: Patient wach, orientiert, {noun} unauffällig.",
    "Der {noun} wurde eine {noun} empfohlen.",
    "Empfehlung: {noun} und {noun} fortführen, {clinical_noun} in vier Wochen.",
    "Hb {hb} g/dl, Blutdruck {rr} mmHg, Puls {val}/min.",
)
