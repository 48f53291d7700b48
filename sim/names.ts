/** Word lists the seed draws people, businesses and places from. Invented, not real customers. */

export const FIRST_NAMES = [
  'Aaliyah', 'Adrian', 'Aiko', 'Alejandro', 'Amara', 'Andre', 'Anika', 'Beatriz', 'Benjamin', 'Bianca',
  'Caleb', 'Camila', 'Chidi', 'Chloe', 'Daniel', 'Deepa', 'Diego', 'Elena', 'Elijah', 'Emeka',
  'Fatima', 'Felix', 'Gianna', 'Grace', 'Hana', 'Hassan', 'Isaac', 'Ines', 'Jamal', 'Jasmine',
  'Jonah', 'Julia', 'Kai', 'Keisha', 'Kenji', 'Laila', 'Leo', 'Lucia', 'Malik', 'Maya',
  'Mateo', 'Mei', 'Nadia', 'Nathan', 'Nia', 'Omar', 'Olivia', 'Pablo', 'Quinn', 'Rafael',
  'Rosa', 'Samir', 'Sofia', 'Tariq', 'Tessa', 'Uma', 'Victor', 'Wren', 'Yara', 'Zane',
] as const;

export const LAST_NAMES = [
  'Abernathy', 'Adeyemi', 'Alvarez', 'Bergstrom', 'Brennan', 'Castillo', 'Chen', 'Dalton', 'Delgado', 'Eriksen',
  'Fairchild', 'Fontaine', 'Garrison', 'Gupta', 'Haddad', 'Holloway', 'Ibarra', 'Jablonski', 'Kaplan', 'Kimura',
  'Lachance', 'Lindqvist', 'Maldonado', 'McAllister', 'Nakamura', 'Novak', 'Okafor', 'Ortega', 'Park', 'Petrov',
  'Quintero', 'Ramirez', 'Rasmussen', 'Sandoval', 'Schafer', 'Tanaka', 'Thornton', 'Underwood', 'Valdez', 'Vasquez',
  'Whitaker', 'Winslow', 'Xiong', 'Yamamoto', 'Zeller', 'Zhou', 'Bishop', 'Coleman', 'Drummond', 'Ellison',
] as const;

export const BUSINESS_WORDS = [
  'Alder', 'Beacon', 'Cedar', 'Copper', 'Driftwood', 'Ember', 'Fern', 'Granite', 'Harbor', 'Juniper',
  'Keystone', 'Lantern', 'Maple', 'Meridian', 'North Star', 'Oakridge', 'Pioneer', 'Quarry', 'Redwood', 'Riverbend',
  'Sage', 'Sequoia', 'Silverline', 'Summit', 'Tamarack', 'Timberline', 'Union', 'Vista', 'Willow', 'Yellowstone',
] as const;

export const BUSINESS_KINDS = [
  'Bakery', 'Builders', 'Consulting', 'Dental', 'Design Studio', 'Logistics', 'Landscaping', 'Coffee Co.',
  'Veterinary Clinic', 'Brewing', 'Analytics', 'Fitness', 'Auto Repair', 'Architects', 'Family Medicine',
  'Print Shop', 'Software', 'Catering', 'Outfitters', 'Realty',
] as const;

export const ENTITY_SUFFIX: Record<string, string> = {
  LLC: 'LLC',
  'C-Corporation': 'Inc.',
  'S-Corporation': 'Inc.',
};

export const STREET_NAMES = [
  'Alder Way', 'Birch Street', 'Cascade Avenue', 'Dogwood Lane', 'Elm Street', 'Front Street', 'Grand Avenue',
  'Hillcrest Road', 'Irving Place', 'Jefferson Street', 'Kingsley Drive', 'Lakeview Terrace', 'Main Street',
  'Northgate Boulevard', 'Orchard Road', 'Park Avenue', 'Railroad Street', 'Summit Drive', 'Union Street',
] as const;

export const JOB_TITLES = {
  exempt: ['Operations Manager', 'Software Engineer', 'Controller', 'Product Designer', 'Account Executive', 'Director of Sales'],
  nonexempt: ['Office Coordinator', 'Bookkeeper', 'Customer Success Specialist', 'Dispatcher', 'Medical Assistant'],
  hourly: ['Barista', 'Warehouse Associate', 'Line Cook', 'Delivery Driver', 'Retail Associate', 'Technician', 'Receptionist'],
} as const;

/** Places a generated company can be in, each with its IANA time zone. */
export const PLACES = [
  { city: 'Portland', state: 'OR', zip: '97205', timeZone: 'America/Los_Angeles' },
  { city: 'San Diego', state: 'CA', zip: '92101', timeZone: 'America/Los_Angeles' },
  { city: 'Seattle', state: 'WA', zip: '98104', timeZone: 'America/Los_Angeles' },
  { city: 'Austin', state: 'TX', zip: '78701', timeZone: 'America/Chicago' },
  { city: 'Minneapolis', state: 'MN', zip: '55401', timeZone: 'America/Chicago' },
  { city: 'Boise', state: 'ID', zip: '83702', timeZone: 'America/Boise' },
  { city: 'Salt Lake City', state: 'UT', zip: '84101', timeZone: 'America/Denver' },
  { city: 'Tucson', state: 'AZ', zip: '85701', timeZone: 'America/Phoenix' },
  { city: 'Atlanta', state: 'GA', zip: '30303', timeZone: 'America/New_York' },
  { city: 'Boston', state: 'MA', zip: '02108', timeZone: 'America/New_York' },
  { city: 'Miami', state: 'FL', zip: '33130', timeZone: 'America/New_York' },
  { city: 'Anchorage', state: 'AK', zip: '99501', timeZone: 'America/Anchorage' },
  { city: 'Honolulu', state: 'HI', zip: '96813', timeZone: 'Pacific/Honolulu' },
] as const;

/** States without a state income tax: their employees get no state withholding line. */
export const NO_INCOME_TAX_STATES = new Set(['AK', 'FL', 'NV', 'NH', 'SD', 'TN', 'TX', 'WA', 'WY']);
