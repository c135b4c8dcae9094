// The Cloud Functions of landfall, registered with functions-framework: the same file runs locally and deployed.
import { cloudEvent } from '@google-cloud/functions-framework';
import { dbtTrigger } from './dbt-trigger.js';
import { loader } from './loader.js';
import { matcher } from './matcher.js';

cloudEvent('matcher', matcher);
cloudEvent('loader', loader);
cloudEvent('dbtTrigger', dbtTrigger);
