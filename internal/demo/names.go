package demo

import (
	"context"
	"fmt"

	"parley/internal/access"
	"parley/internal/auth"
	"parley/internal/localized"
	"parley/internal/talks"
)

// The demo's names in the other languages of the talks (internal/localized):
// the round, its sessions and agenda, the organisations, the negotiating
// text's title and the host's statement, each in Arabic, Russian and
// Turkish beside its authoritative English.

// translation is one English value in the other languages.
type translation struct{ ar, ru, tr string }

func (t translation) values() map[string]string {
	return map[string]string{"ar": t.ar, "ru": t.ru, "tr": t.tr}
}

// names are the translations of the demo's names and titles, by English value.
var names = map[string]translation{
	// The round and its sessions.
	RoundName:                     {"أستانا، الجولة الأولى", "Астана, первый раунд", "Astana, 1. tur"},
	"Opening plenary":             {"الجلسة العامة الافتتاحية", "Пленарное заседание открытия", "Açılış genel oturumu"},
	"Proximity talks, first day":  {"محادثات غير مباشرة، اليوم الأول", "Непрямые переговоры, первый день", "Dolaylı görüşmeler, birinci gün"},
	"Proximity talks, second day": {"محادثات غير مباشرة، اليوم الثاني", "Непрямые переговоры, второй день", "Dolaylı görüşmeler, ikinci gün"},
	"Closing plenary":             {"الجلسة العامة الختامية", "Заключительное пленарное заседание", "Kapanış genel oturumu"},

	// The agenda: titles and descriptions.
	"Holding the nationwide ceasefire": {"الحفاظ على وقف إطلاق النار في جميع أنحاء البلاد",
		"Соблюдение общенационального режима прекращения огня", "Ülke genelindeki ateşkesin korunması"},
	"How violations are reported, checked and answered, and who sits in the monitoring mechanism.": {
		"كيف يُبلَّغ عن الانتهاكات ويُتحقَّق منها ويُردّ عليها، ومن يشارك في آلية المراقبة.",
		"Как сообщать о нарушениях, проверять их и реагировать на них, и кто входит в механизм мониторинга.",
		"İhlallerin nasıl bildirileceği, doğrulanacağı ve yanıtlanacağı ile izleme mekanizmasında kimlerin yer alacağı."},
	"Access to besieged and hard-to-reach areas": {"الوصول إلى المناطق المحاصرة والمناطق التي يصعب الوصول إليها",
		"Доступ в осаждённые и труднодоступные районы", "Kuşatma altındaki ve ulaşılması güç bölgelere erişim"},
	"Lifting sieges, safe passage for civilians and unhindered delivery of aid convoys.": {
		"رفع الحصار، وتأمين ممر آمن للمدنيين، وإيصال قوافل المساعدات دون عوائق.",
		"Снятие осад, безопасный выход мирных жителей и беспрепятственная доставка гуманитарных конвоев.",
		"Kuşatmaların kaldırılması, siviller için güvenli geçiş ve yardım konvoylarının engelsiz ulaştırılması."},
	"Release of detainees and abductees": {"الإفراج عن المعتقلين والمختطفين",
		"Освобождение задержанных и похищенных", "Tutukluların ve kaçırılanların serbest bırakılması"},
	"Lists from each side, a first release and verification by a neutral agency.": {
		"قوائم من كل طرف، ودفعة أولى من الإفراج، وتحقّق من جهة محايدة.",
		"Списки от каждой стороны, первое освобождение и проверка нейтральной организацией.",
		"Her iki taraftan listeler, ilk serbest bırakma ve tarafsız bir kuruluş tarafından doğrulama."},
	"Political transition": {"الانتقال السياسي", "Политический переход", "Siyasi geçiş"},
	"The future constitution, elections and the shape of a transitional arrangement.": {
		"الدستور المقبل، والانتخابات، وشكل الترتيبات الانتقالية.",
		"Будущая конституция, выборы и форма переходного устройства.",
		"Gelecekteki anayasa, seçimler ve geçiş düzenlemesinin biçimi."},

	// The organisations.
	"Ministry of Foreign Affairs of Kazakhstan":              {"وزارة خارجية كازاخستان", "Министерство иностранных дел Казахстана", "Kazakistan Dışişleri Bakanlığı"},
	"UN mediation team":                                      {"فريق الوساطة التابع للأمم المتحدة", "Посредническая группа ООН", "BM arabuluculuk ekibi"},
	"Government of the Syrian Arab Republic delegation":      {"وفد حكومة الجمهورية العربية السورية", "Делегация правительства Сирийской Арабской Республики", "Suriye Arap Cumhuriyeti hükümeti heyeti"},
	"Syrian opposition delegation":                           {"وفد المعارضة السورية", "Делегация сирийской оппозиции", "Suriye muhalefet heyeti"},
	"Russian Federation":                                     {"الاتحاد الروسي", "Российская Федерация", "Rusya Federasyonu"},
	"Republic of Turkey":                                     {"الجمهورية التركية", "Турецкая Республика", "Türkiye Cumhuriyeti"},
	"Islamic Republic of Iran":                               {"جمهورية إيران الإسلامية", "Исламская Республика Иран", "İran İslam Cumhuriyeti"},
	"United States":                                          {"الولايات المتحدة", "Соединённые Штаты", "Amerika Birleşik Devletleri"},
	"Joint ceasefire monitoring group":                       {"الفريق المشترك لمراقبة وقف إطلاق النار", "Совместная группа по мониторингу режима прекращения огня", "Ortak ateşkes izleme grubu"},
	"UN Office for the Coordination of Humanitarian Affairs": {"مكتب الأمم المتحدة لتنسيق الشؤون الإنسانية", "Управление ООН по координации гуманитарных вопросов", "BM İnsani İşler Koordinasyon Ofisi"},
	"International Committee of the Red Cross":               {"اللجنة الدولية للصليب الأحمر", "Международный комитет Красного Креста", "Uluslararası Kızılhaç Komitesi"},

	// The negotiating text's title and the host's statement.
	"Arrangements for the nationwide ceasefire": {"ترتيبات وقف إطلاق النار في جميع أنحاء البلاد",
		"Условия общенационального прекращения огня", "Ülke genelinde ateşkese ilişkin düzenlemeler"},
	statementTitle: {"افتتاح اجتماع أستانا", "Открытие встречи в Астане", "Astana toplantısının açılışı"},
	statementBody: {
		"يرحّب البلد المضيف بالوفود في أستانا. سيعمل الاجتماع على تثبيت وقف إطلاق النار في جميع أنحاء البلاد، وسيتناول وصول المساعدات الإنسانية والإفراج عن المعتقلين، فيما يعمل فريق الوساطة التابع للأمم المتحدة بين الوفود.",
		"Принимающая сторона приветствует делегации в Астане. Встреча призвана укрепить общенациональный режим прекращения огня и рассмотреть вопросы гуманитарного доступа и освобождения задержанных; посредническая группа ООН работает между делегациями.",
		"Ev sahibi ülke, heyetleri Astana'da ağırlamaktan memnuniyet duyar. Toplantı, ülke genelindeki ateşkesi pekiştirecek ve insani erişim ile tutukluların serbest bırakılması konularını ele alacak; Birleşmiş Milletler arabuluculuk ekibi heyetler arasında çalışacak."},
}

// The host's statement about the round (seedStatement).
const (
	statementTitle = "Opening of the Astana meeting"
	statementBody  = "The host welcomes the delegations to Astana. The meeting will consolidate the nationwide ceasefire and address humanitarian access and the release of detainees, with the United Nations mediation team working between the delegations."
)

// nameIn gives one item its fields in the other languages, English marked
// authoritative; fields maps a field to its English value, which names
// must hold.
func nameIn(ctx context.Context, ls *localized.Service, actor access.Actor, kind, id string, fields map[string]string) error {
	in := localized.Input{Authoritative: "en", Values: map[string]map[string]string{}}
	for field, en := range fields {
		t, ok := names[en]
		if !ok {
			return fmt.Errorf("demo: no translation of %q", en)
		}
		in.Values[field] = t.values()
	}
	if _, err := ls.Set(ctx, actor, kind, id, in); err != nil {
		return fmt.Errorf("demo: names of %s %q: %w", kind, fields, err)
	}
	return nil
}

// SeedNames gives the demo round, its sessions and agenda items and the
// organisations their names in Arabic, Russian and Turkish: the chair, who
// administers the round, names the round's items; the operator names the
// organisations.
func SeedNames(ctx context.Context, ls *localized.Service, ts *talks.Service, as *auth.Service) error {
	u, err := as.UserByUsername(ctx, access.System, "chair")
	if err != nil {
		return fmt.Errorf("demo: chair: %w", err)
	}
	chair := u.Actor()
	orgs, err := ts.Orgs(ctx, access.System)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if err := nameIn(ctx, ls, access.System, "org", o.ID, map[string]string{"name": o.Name}); err != nil {
			return err
		}
	}
	rounds, err := ts.Rounds(ctx, chair)
	if err != nil || len(rounds) == 0 {
		return fmt.Errorf("demo: the round: %v", err)
	}
	round, err := ts.Round(ctx, chair, rounds[0].ID)
	if err != nil {
		return err
	}
	if err := nameIn(ctx, ls, chair, "round", round.ID, map[string]string{"name": round.Name}); err != nil {
		return err
	}
	for _, s := range round.Sessions {
		if err := nameIn(ctx, ls, chair, "session", s.ID, map[string]string{"title": s.Title}); err != nil {
			return err
		}
	}
	for _, it := range round.Agenda {
		if err := nameIn(ctx, ls, chair, "agenda", it.ID, map[string]string{"title": it.Title, "description": it.Description}); err != nil {
			return err
		}
	}
	return nil
}
